//! Fixed-depth binary Merkle trees with zero-padding, incremental updates, prefix roots and multi-leaf proofs.
//!
//! Every commitment of the engine (the model, the token sequence, the KV cache, the registers) is such a tree.
//! Leaves are `blake2-256(0x00 ‖ data)`, inner nodes `blake2-256(0x01 ‖ left ‖ right)`, and an unwritten leaf is
//! the all-zero hash, so a tree of depth `d` always has `2^d` leaves and its root does not depend on how much of
//! it is stored. polkadot-sdk's `binary-merkle-tree` proves one leaf at a time over a list it rebuilds in full;
//! here a step proof opens dozens of adjacent leaves at once and the node updates a few leaves per step, so the
//! tree keeps its levels and proofs share siblings ([`Tree::multiproof`], [`multiroot`]).

use alloc::vec::Vec;

/// A 32-byte hash.
pub type Hash = [u8; 32];

/// The hash of an unwritten leaf.
pub const EMPTY: Hash = [0u8; 32];

/// The one hash function of the engine, blake2-256, and where it runs. Every hash (leaves, inner nodes, state
/// roots, the tokenizer pin) is [`Blake2::hash`] of some bytes; implementations differ only in where the
/// function executes, never in its result:
/// - [`PureBlake2`]: Rust code (`sp_crypto_hashing`), natively and in any WASM;
/// - `HostBlake2` (feature `host-hashing`): `sp_io::hashing::blake2_256`, which in a runtime is a call to the
///   node's native implementation, several times faster than blake2 compiled to WASM.
///
/// The node's side (trees, commitments, traces) uses [`PureBlake2`]; the verifier takes the implementation as
/// a type parameter ([`crate::verify::verify_step_with`]).
pub trait Blake2 {
	/// blake2-256 of `data`.
	fn hash(data: &[u8]) -> Hash;

	/// Hash of a leaf holding `data`: `blake2-256(0x00 ‖ data)`.
	fn leaf(data: &[u8]) -> Hash {
		// Register and token leaves are small: prefix them on the stack, without an allocation.
		const SMALL: usize = 512;
		if data.len() <= SMALL {
			let mut b = [0u8; SMALL + 1];
			b[1..=data.len()].copy_from_slice(data);
			return Self::hash(&b[..=data.len()]);
		}
		let mut b = Vec::with_capacity(1 + data.len());
		b.push(0u8);
		b.extend_from_slice(data);
		Self::hash(&b)
	}

	/// Hash of an inner node: `blake2-256(0x01 ‖ left ‖ right)`.
	fn node(left: &Hash, right: &Hash) -> Hash {
		let mut b = [1u8; 65];
		b[1..33].copy_from_slice(left);
		b[33..].copy_from_slice(right);
		Self::hash(&b)
	}
}

/// blake2-256 in Rust (`sp_crypto_hashing`, the function `sp_io` itself calls on the host).
pub enum PureBlake2 {}

impl Blake2 for PureBlake2 {
	fn hash(data: &[u8]) -> Hash {
		sp_crypto_hashing::blake2_256(data)
	}
}

/// blake2-256 through `sp_io::hashing::blake2_256`: a host call in a runtime, the Rust code natively.
#[cfg(feature = "host-hashing")]
pub enum HostBlake2 {}

#[cfg(feature = "host-hashing")]
impl Blake2 for HostBlake2 {
	fn hash(data: &[u8]) -> Hash {
		sp_io::hashing::blake2_256(data)
	}
}

/// blake2-256 of `data` ([`PureBlake2`]; the same function as `sp_io::hashing::blake2_256`).
pub fn blake2(data: &[u8]) -> Hash {
	PureBlake2::hash(data)
}

/// Hash of a leaf holding `data` ([`PureBlake2`]).
pub fn leaf_hash(data: &[u8]) -> Hash {
	PureBlake2::leaf(data)
}

/// Hash of an inner node ([`PureBlake2`]).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
	PureBlake2::node(left, right)
}

/// The root of an empty tree of depth `level`.
pub fn zero_hash(level: u32) -> Hash {
	// Depths are at most 40 here; computing on demand keeps this `no_std` without a lazy static.
	let mut h = EMPTY;
	for _ in 0..level {
		h = node_hash(&h, &h);
	}
	h
}

/// Table of [`zero_hash`] for levels `0..=depth`.
pub fn zero_hashes(depth: u32) -> Vec<Hash> {
	let mut v = Vec::with_capacity(depth as usize + 1);
	let mut h = EMPTY;
	v.push(h);
	for _ in 0..depth {
		h = node_hash(&h, &h);
		v.push(h);
	}
	v
}

/// Smallest depth whose tree holds `n` leaves.
pub fn depth_for(n: u64) -> u32 {
	let mut d = 0;
	while (1u64 << d) < n {
		d += 1;
	}
	d
}

/// Errors of proof checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MerkleError {
	/// The proof has fewer siblings than the leaves need.
	MissingSibling,
	/// The proof has more siblings than the leaves need.
	ExtraSibling,
	/// A leaf index is outside the tree, or the indices are not strictly increasing.
	BadIndex,
}

/// A tree of fixed depth that stores the levels of its written prefix.
#[derive(Clone, Debug)]
pub struct Tree {
	depth: u32,
	/// `levels[l][i]`: node `i` of level `l` (0 = leaves), for the stored prefix; missing ones are empty.
	levels: Vec<Vec<Hash>>,
	zeros: Vec<Hash>,
}

impl Tree {
	/// An empty tree of depth `depth`.
	pub fn new(depth: u32) -> Tree {
		Tree { depth, levels: (0..=depth).map(|_| Vec::new()).collect(), zeros: zero_hashes(depth) }
	}

	/// A tree over the given leaf hashes (the rest empty).
	pub fn from_leaves(depth: u32, leaves: Vec<Hash>) -> Tree {
		let mut t = Tree::new(depth);
		t.levels[0] = leaves;
		for l in 1..=depth as usize {
			let below = &t.levels[l - 1];
			let n = below.len().div_ceil(2);
			let mut level = Vec::with_capacity(n);
			for i in 0..n {
				let left = below[2 * i];
				let right = below.get(2 * i + 1).copied().unwrap_or(t.zeros[l - 1]);
				level.push(node_hash(&left, &right));
			}
			t.levels[l] = level;
		}
		t
	}

	/// Depth of the tree.
	pub fn depth(&self) -> u32 {
		self.depth
	}

	/// Number of leaves stored (written or explicitly set).
	pub fn stored(&self) -> u64 {
		self.levels[0].len() as u64
	}

	/// The root.
	pub fn root(&self) -> Hash {
		self.node(self.depth, 0)
	}

	/// Node `index` of `level`.
	pub fn node(&self, level: u32, index: u64) -> Hash {
		self.levels[level as usize].get(index as usize).copied().unwrap_or(self.zeros[level as usize])
	}

	/// Leaf hash at `index`.
	pub fn leaf(&self, index: u64) -> Hash {
		self.node(0, index)
	}

	/// Sets leaf `index` to `hash` and updates its path. `index` must be below `2^depth`.
	pub fn set(&mut self, index: u64, hash: Hash) {
		debug_assert!(index < (1u64 << self.depth));
		let mut idx = index as usize;
		if self.levels[0].len() <= idx {
			self.levels[0].resize(idx + 1, EMPTY);
		}
		self.levels[0][idx] = hash;
		for l in 1..=self.depth as usize {
			let parent = idx / 2;
			let left = self.levels[l - 1].get(2 * parent).copied().unwrap_or(self.zeros[l - 1]);
			let right = self.levels[l - 1].get(2 * parent + 1).copied().unwrap_or(self.zeros[l - 1]);
			let h = node_hash(&left, &right);
			if self.levels[l].len() <= parent {
				self.levels[l].resize(parent + 1, self.zeros[l]);
			}
			self.levels[l][parent] = h;
			idx = parent;
		}
	}

	/// Node `index` of `level` in the tree that keeps only the first `n` leaves (the rest empty).
	pub fn prefix_node(&self, level: u32, index: u64, n: u64) -> Hash {
		let span = 1u64 << level;
		let first = index * span;
		if first + span <= n {
			self.node(level, index)
		} else if first >= n {
			self.zeros[level as usize]
		} else {
			let l = self.prefix_node(level - 1, 2 * index, n);
			let r = self.prefix_node(level - 1, 2 * index + 1, n);
			node_hash(&l, &r)
		}
	}

	/// Root of the tree that keeps only the first `n` leaves.
	pub fn prefix_root(&self, n: u64) -> Hash {
		self.prefix_node(self.depth, 0, n)
	}

	/// The siblings that prove `indices` (strictly increasing) in the prefix-`n` view of this tree, in the order
	/// [`multiroot`] consumes them. Pass `n = u64::MAX` for the whole tree.
	pub fn multiproof(&self, indices: &[u64], n: u64) -> Vec<Hash> {
		let mut out = Vec::new();
		let mut nodes: Vec<u64> = indices.to_vec();
		for level in 0..self.depth {
			let mut next = Vec::with_capacity(nodes.len());
			let mut i = 0;
			while i < nodes.len() {
				let idx = nodes[i];
				if idx % 2 == 0 {
					if i + 1 < nodes.len() && nodes[i + 1] == idx + 1 {
						i += 2;
					} else {
						out.push(self.prefix_node(level, idx + 1, n));
						i += 1;
					}
				} else {
					out.push(self.prefix_node(level, idx - 1, n));
					i += 1;
				}
				next.push(idx / 2);
			}
			nodes = next;
		}
		out
	}
}

/// The root of a depth-`depth` tree whose leaves at the given indices (strictly increasing) have the given
/// hashes, with `siblings` as produced by [`Tree::multiproof`]. Every sibling must be used.
pub fn multiroot(depth: u32, leaves: &[(u64, Hash)], siblings: &[Hash]) -> Result<Hash, MerkleError> {
	multiroot_with::<PureBlake2>(depth, leaves, siblings)
}

/// [`multiroot`] with the blake2 implementation `H`.
pub fn multiroot_with<H: Blake2>(
	depth: u32,
	leaves: &[(u64, Hash)],
	siblings: &[Hash],
) -> Result<Hash, MerkleError> {
	if leaves.is_empty() {
		return Err(MerkleError::BadIndex);
	}
	let cap = if depth >= 64 { u64::MAX } else { 1u64 << depth };
	for w in leaves.windows(2) {
		if w[0].0 >= w[1].0 {
			return Err(MerkleError::BadIndex);
		}
	}
	if leaves[leaves.len() - 1].0 >= cap {
		return Err(MerkleError::BadIndex);
	}
	let mut sib = siblings.iter();
	let mut nodes: Vec<(u64, Hash)> = leaves.to_vec();
	for _ in 0..depth {
		let mut next = Vec::with_capacity(nodes.len());
		let mut i = 0;
		while i < nodes.len() {
			let (idx, h) = nodes[i];
			let parent = if idx % 2 == 0 {
				if i + 1 < nodes.len() && nodes[i + 1].0 == idx + 1 {
					let r = nodes[i + 1].1;
					i += 2;
					H::node(&h, &r)
				} else {
					i += 1;
					H::node(&h, sib.next().ok_or(MerkleError::MissingSibling)?)
				}
			} else {
				i += 1;
				H::node(sib.next().ok_or(MerkleError::MissingSibling)?, &h)
			};
			next.push((idx / 2, parent));
		}
		nodes = next;
	}
	if sib.next().is_some() {
		return Err(MerkleError::ExtraSibling);
	}
	Ok(nodes[0].1)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn leaves(n: usize) -> Vec<Hash> {
		(0..n).map(|i| leaf_hash(&(i as u32).to_le_bytes())).collect()
	}

	#[test]
	fn streaming_hash_is_blake2_256() {
		assert_eq!(leaf_hash(b"abc"), blake2(b"\x00abc"));
		let mut node = [1u8; 65];
		node[1..33].copy_from_slice(&[7u8; 32]);
		node[33..].copy_from_slice(&[9u8; 32]);
		assert_eq!(node_hash(&[7u8; 32], &[9u8; 32]), blake2(&node));
		// Leaves prefixed on the stack and on the heap alike.
		for n in [0usize, 128, 512, 513, 1024, 1536] {
			let data: Vec<u8> = (0..n).map(|i| i as u8).collect();
			let prefixed: Vec<u8> = core::iter::once(0u8).chain(data.iter().copied()).collect();
			assert_eq!(leaf_hash(&data), blake2(&prefixed), "{n} bytes");
		}
	}

	#[test]
	fn incremental_equals_batch_and_prefix_roots_match_smaller_trees() {
		let l = leaves(37);
		let batch = Tree::from_leaves(6, l.clone());
		let mut inc = Tree::new(6);
		for (i, h) in l.iter().enumerate() {
			inc.set(i as u64, *h);
			// The prefix root of the full tree equals the root of the tree built so far.
			assert_eq!(batch.prefix_root(i as u64 + 1), inc.root());
		}
		assert_eq!(batch.root(), inc.root());
		assert_eq!(Tree::new(6).root(), zero_hash(6));
		assert_ne!(batch.prefix_root(36), batch.root());
	}

	#[test]
	fn multiproofs_verify_and_detect_tampering() {
		let l = leaves(50);
		let t = Tree::from_leaves(6, l.clone());
		for set in [vec![0u64], vec![63], vec![3, 4, 5, 6], vec![1, 2, 17, 40, 49], (0..50).collect::<Vec<_>>()] {
			let proof = t.multiproof(&set, u64::MAX);
			let ls: Vec<(u64, Hash)> = set.iter().map(|&i| (i, t.leaf(i))).collect();
			assert_eq!(multiroot(6, &ls, &proof), Ok(t.root()));
			// A changed leaf changes the root; a missing or extra sibling is an error.
			let mut bad = ls.clone();
			bad[0].1[0] ^= 1;
			assert_ne!(multiroot(6, &bad, &proof), Ok(t.root()));
			if !proof.is_empty() {
				assert_eq!(multiroot(6, &ls, &proof[1..]), Err(MerkleError::MissingSibling));
			}
			let mut more = proof.clone();
			more.push(EMPTY);
			assert_eq!(multiroot(6, &ls, &more), Err(MerkleError::ExtraSibling));
		}
		// Proofs in a prefix view verify against the prefix root.
		let proof = t.multiproof(&[10, 11], 12);
		assert_eq!(multiroot(6, &[(10, t.leaf(10)), (11, t.leaf(11))], &proof), Ok(t.prefix_root(12)));
		// Unordered indices are refused.
		assert_eq!(multiroot(6, &[(2, EMPTY), (1, EMPTY)], &[]), Err(MerkleError::BadIndex));
		assert_eq!(multiroot(6, &[(64, EMPTY)], &[]), Err(MerkleError::BadIndex));
	}

	#[test]
	fn updating_through_a_multiproof_gives_the_updated_root() {
		let l = leaves(20);
		let mut t = Tree::from_leaves(5, l);
		let set = [4u64, 5, 9];
		let proof = t.multiproof(&set, u64::MAX);
		let new: Vec<(u64, Hash)> = set.iter().map(|&i| (i, leaf_hash(b"new"))).collect();
		let predicted = multiroot(5, &new, &proof).expect("well-formed");
		for (i, h) in &new {
			t.set(*i, *h);
		}
		assert_eq!(predicted, t.root());
	}
}
