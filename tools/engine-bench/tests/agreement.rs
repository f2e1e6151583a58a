//! SmolLM2-135M-Instruct on our engine and on candle 0.11 (quantized llama, same GGUF): the greedy outputs are
//! coherent English and agree on at least the first 8 tokens for at least 4 of the 5 fixed prompts.

use sibyl_engine_bench::{model_path, Candle, Sibyl, PROMPTS, TOPIC_WORDS};

#[test]
fn greedy_output_is_coherent_and_agrees_with_candle() {
	let path = model_path();
	let sibyl = Sibyl::load(&path);
	let mut candle = Candle::load(&path);
	let eos = sibyl.model.config.eos;
	let mut agreeing = 0;
	for (prompt, topic) in PROMPTS.iter().zip(TOPIC_WORDS) {
		let ids = sibyl.tokenizer.encode_chat(prompt).expect("tokenize");
		let (ours, _) = sibyl.generate(&ids, 24);
		let reference = candle.generate(&ids, 24, eos);
		let common = ours.tokens.iter().zip(&reference.tokens).take_while(|(a, b)| a == b).count();
		let text = sibyl.tokenizer.decode(&ours.tokens).expect("decode");
		let ref_text = sibyl.tokenizer.decode(&reference.tokens).expect("decode");
		eprintln!("{prompt:?}\n  sibyl : {text:?}\n  candle: {ref_text:?}\n  agree on the first {common} tokens");
		if common >= 8 || (common == ours.tokens.len() && common == reference.tokens.len()) {
			agreeing += 1;
		}
		// Coherent English: mostly letters and spaces, several real words, no control garbage.
		let words: Vec<&str> = text.split_whitespace().collect();
		assert!(words.len() >= 3, "too short to be an answer: {text:?}");
		let letters = text.chars().filter(|c| c.is_ascii_alphabetic() || *c == ' ').count();
		assert!(letters * 10 >= text.chars().count() * 7, "not prose: {text:?}");
		let function_words = ["the", "is", "a", "of", "and", "in", "to", "are", "that", "with"];
		assert!(
			words.iter().filter(|w| function_words.contains(&w.to_lowercase().trim_matches(|c: char| !c.is_alphanumeric()))).count() >= 2,
			"not English sentences: {text:?}"
		);
		assert!(text.to_lowercase().contains(topic), "off topic (no {topic:?}): {text:?}");
	}
	eprintln!("agreement with candle on the first 8 tokens: {agreeing}/5");
	assert!(agreeing >= 4, "only {agreeing} of 5 prompts agree with candle on the first 8 tokens");
}
