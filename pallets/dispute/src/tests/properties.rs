//! Properties: an honest player always wins, and the money adds up.
