//! A bounds-checked reader of GGUF files (versions 2 and 3): metadata and tensor descriptors, with the tensor
//! data left in place. Every malformed input is an [`GgufError`], never a panic.

use alloc::{string::String, vec::Vec};

/// Why a GGUF file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GgufError {
	/// The file does not start with `GGUF`.
	BadMagic,
	/// A GGUF version this reader does not know.
	UnsupportedVersion(u32),
	/// The file ends before the structure it declares.
	Truncated,
	/// A metadata value of an unknown type.
	BadValueType(u32),
	/// A string that is not UTF-8.
	BadString,
	/// A count or size too large to be real.
	TooLarge,
	/// A tensor of a type this engine does not support.
	UnsupportedTensorType {
		/// The tensor.
		name: String,
		/// Its GGML type id.
		ggml_type: u32,
	},
	/// A tensor whose data lies outside the file or whose shape does not fit its type.
	BadTensor(String),
	/// A required metadata key is missing or has the wrong type.
	MissingKey(&'static str),
	/// A required tensor is missing.
	MissingTensor(String),
}

/// A metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
	/// Unsigned integer (u8, u16, u32, u64).
	U(u64),
	/// Signed integer (i8, i16, i32, i64).
	I(i64),
	/// Float (f32, f64).
	F(f64),
	/// Bool.
	Bool(bool),
	/// String.
	Str(String),
	/// Array.
	Array(Vec<Value>),
}

impl Value {
	/// As an unsigned integer, if it is a non-negative integer.
	pub fn as_u64(&self) -> Option<u64> {
		match self {
			Value::U(v) => Some(*v),
			Value::I(v) if *v >= 0 => Some(*v as u64),
			_ => None,
		}
	}
	/// As a float, if it is a number.
	pub fn as_f64(&self) -> Option<f64> {
		match self {
			Value::F(v) => Some(*v),
			Value::U(v) => Some(*v as f64),
			Value::I(v) => Some(*v as f64),
			_ => None,
		}
	}
	/// As a string.
	pub fn as_str(&self) -> Option<&str> {
		match self {
			Value::Str(s) => Some(s),
			_ => None,
		}
	}
	/// As an array.
	pub fn as_array(&self) -> Option<&[Value]> {
		match self {
			Value::Array(a) => Some(a),
			_ => None,
		}
	}
}

/// Tensor element types the engine supports (GGML type ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo)]
pub enum TensorType {
	/// 32-bit float.
	F32,
	/// 16-bit float.
	F16,
	/// Blocks of 32: f16 scale, f16 minimum, 32 × 4-bit.
	Q4_1,
	/// Blocks of 32: f16 scale, 32 × i8.
	Q8_0,
}

impl TensorType {
	/// From a GGML type id.
	pub fn from_ggml(t: u32) -> Option<TensorType> {
		match t {
			0 => Some(TensorType::F32),
			1 => Some(TensorType::F16),
			3 => Some(TensorType::Q4_1),
			8 => Some(TensorType::Q8_0),
			_ => None,
		}
	}

	/// Elements per block.
	pub fn block_elems(self) -> usize {
		match self {
			TensorType::F32 | TensorType::F16 => 1,
			TensorType::Q4_1 | TensorType::Q8_0 => 32,
		}
	}

	/// Bytes per block.
	pub fn block_bytes(self) -> usize {
		match self {
			TensorType::F32 => 4,
			TensorType::F16 => 2,
			TensorType::Q4_1 => 20,
			TensorType::Q8_0 => 34,
		}
	}

	/// Bytes of a row of `n` elements (`n` a multiple of the block size).
	pub fn row_bytes(self, n: usize) -> usize {
		n / self.block_elems() * self.block_bytes()
	}
}

/// A tensor's descriptor.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
	/// Name, e.g. `blk.0.attn_q.weight`.
	pub name: String,
	/// Dimensions, innermost first (`dims[0]` is the row length).
	pub dims: Vec<u64>,
	/// Element type.
	pub ty: TensorType,
	/// Byte range of its data in the file.
	pub start: usize,
	/// Length of its data in bytes.
	pub len: usize,
}

/// A parsed GGUF file: metadata in file order and tensor descriptors.
#[derive(Debug, Clone)]
pub struct Gguf {
	/// Format version.
	pub version: u32,
	/// Metadata key/value pairs.
	pub metadata: Vec<(String, Value)>,
	/// Tensors.
	pub tensors: Vec<TensorInfo>,
}

/// Most metadata entries or tensors a file may declare (a guard against absurd counts, not a model limit).
const MAX_ENTRIES: u64 = 1 << 20;
/// Most elements in one metadata array (the vocabulary and merges of large tokenizers fit).
const MAX_ARRAY: u64 = 1 << 24;
/// Deepest nesting of arrays.
const MAX_NESTING: u32 = 4;

struct Reader<'a> {
	buf: &'a [u8],
	pos: usize,
}

impl<'a> Reader<'a> {
	fn take(&mut self, n: usize) -> Result<&'a [u8], GgufError> {
		let end = self.pos.checked_add(n).ok_or(GgufError::Truncated)?;
		let s = self.buf.get(self.pos..end).ok_or(GgufError::Truncated)?;
		self.pos = end;
		Ok(s)
	}
	fn u8(&mut self) -> Result<u8, GgufError> {
		Ok(self.take(1)?[0])
	}
	fn u16(&mut self) -> Result<u16, GgufError> {
		let b = self.take(2)?;
		Ok(u16::from_le_bytes([b[0], b[1]]))
	}
	fn u32(&mut self) -> Result<u32, GgufError> {
		let b = self.take(4)?;
		Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
	}
	fn u64(&mut self) -> Result<u64, GgufError> {
		let b = self.take(8)?;
		let mut a = [0u8; 8];
		a.copy_from_slice(b);
		Ok(u64::from_le_bytes(a))
	}
	fn string(&mut self) -> Result<String, GgufError> {
		let n = self.u64()?;
		if n > self.buf.len() as u64 {
			return Err(GgufError::Truncated);
		}
		let b = self.take(n as usize)?;
		core::str::from_utf8(b).map(String::from).map_err(|_| GgufError::BadString)
	}
	fn value(&mut self, ty: u32, depth: u32) -> Result<Value, GgufError> {
		Ok(match ty {
			0 => Value::U(self.u8()? as u64),
			1 => Value::I(self.u8()? as i8 as i64),
			2 => Value::U(self.u16()? as u64),
			3 => Value::I(self.u16()? as i16 as i64),
			4 => Value::U(self.u32()? as u64),
			5 => Value::I(self.u32()? as i32 as i64),
			6 => Value::F(f32::from_bits(self.u32()?) as f64),
			7 => Value::Bool(self.u8()? != 0),
			8 => Value::Str(self.string()?),
			9 => {
				if depth >= MAX_NESTING {
					return Err(GgufError::TooLarge);
				}
				let ety = self.u32()?;
				let n = self.u64()?;
				if n > MAX_ARRAY || n > (self.buf.len() - self.pos) as u64 {
					return Err(GgufError::TooLarge);
				}
				let mut v = Vec::with_capacity(n as usize);
				for _ in 0..n {
					v.push(self.value(ety, depth + 1)?);
				}
				Value::Array(v)
			},
			10 => Value::U(self.u64()?),
			11 => Value::I(self.u64()? as i64),
			12 => Value::F(f64::from_bits(self.u64()?)),
			t => return Err(GgufError::BadValueType(t)),
		})
	}
}

impl Gguf {
	/// Parses the header, metadata and tensor descriptors of `file`, and checks that every tensor's data lies
	/// inside it.
	pub fn parse(file: &[u8]) -> Result<Gguf, GgufError> {
		let mut r = Reader { buf: file, pos: 0 };
		if r.take(4)? != b"GGUF" {
			return Err(GgufError::BadMagic);
		}
		let version = r.u32()?;
		if version != 2 && version != 3 {
			return Err(GgufError::UnsupportedVersion(version));
		}
		let n_tensors = r.u64()?;
		let n_kv = r.u64()?;
		if n_tensors > MAX_ENTRIES || n_kv > MAX_ENTRIES {
			return Err(GgufError::TooLarge);
		}
		let mut metadata = Vec::new();
		for _ in 0..n_kv {
			let key = r.string()?;
			let ty = r.u32()?;
			let v = r.value(ty, 0)?;
			metadata.push((key, v));
		}
		let mut raw = Vec::new();
		for _ in 0..n_tensors {
			let name = r.string()?;
			let n_dims = r.u32()?;
			if n_dims == 0 || n_dims > 4 {
				return Err(GgufError::BadTensor(name));
			}
			let mut dims = Vec::new();
			for _ in 0..n_dims {
				dims.push(r.u64()?);
			}
			let ggml_type = r.u32()?;
			let offset = r.u64()?;
			raw.push((name, dims, ggml_type, offset));
		}
		let alignment = metadata
			.iter()
			.find(|(k, _)| k == "general.alignment")
			.and_then(|(_, v)| v.as_u64())
			.unwrap_or(32);
		if alignment == 0 || alignment > 1 << 20 {
			return Err(GgufError::TooLarge);
		}
		let data_start = (r.pos as u64).div_ceil(alignment) * alignment;
		let mut tensors = Vec::new();
		for (name, dims, ggml_type, offset) in raw {
			let ty = TensorType::from_ggml(ggml_type)
				.ok_or_else(|| GgufError::UnsupportedTensorType { name: name.clone(), ggml_type })?;
			let mut elems: u64 = 1;
			for d in &dims {
				elems = elems.checked_mul(*d).ok_or_else(|| GgufError::BadTensor(name.clone()))?;
			}
			let be = ty.block_elems() as u64;
			if elems == 0 || dims[0] % be != 0 {
				return Err(GgufError::BadTensor(name));
			}
			let len = (elems / be)
				.checked_mul(ty.block_bytes() as u64)
				.ok_or_else(|| GgufError::BadTensor(name.clone()))?;
			let start = data_start.checked_add(offset).ok_or_else(|| GgufError::BadTensor(name.clone()))?;
			let end = start.checked_add(len).ok_or_else(|| GgufError::BadTensor(name.clone()))?;
			if end > file.len() as u64 {
				return Err(GgufError::BadTensor(name));
			}
			tensors.push(TensorInfo { name, dims, ty, start: start as usize, len: len as usize });
		}
		Ok(Gguf { version, metadata, tensors })
	}

	/// The metadata value of `key`.
	pub fn get(&self, key: &str) -> Option<&Value> {
		self.metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v)
	}

	/// The descriptor of tensor `name`.
	pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
		self.tensors.iter().find(|t| t.name == name)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A GGUF v3 file with one string key and one F32 tensor of 2 × 3.
	fn tiny() -> Vec<u8> {
		let mut f = Vec::new();
		f.extend_from_slice(b"GGUF");
		f.extend_from_slice(&3u32.to_le_bytes());
		f.extend_from_slice(&1u64.to_le_bytes()); // tensors
		f.extend_from_slice(&1u64.to_le_bytes()); // kv
		let key = b"general.architecture";
		f.extend_from_slice(&(key.len() as u64).to_le_bytes());
		f.extend_from_slice(key);
		f.extend_from_slice(&8u32.to_le_bytes());
		f.extend_from_slice(&5u64.to_le_bytes());
		f.extend_from_slice(b"llama");
		let name = b"t";
		f.extend_from_slice(&(name.len() as u64).to_le_bytes());
		f.extend_from_slice(name);
		f.extend_from_slice(&2u32.to_le_bytes());
		f.extend_from_slice(&3u64.to_le_bytes());
		f.extend_from_slice(&2u64.to_le_bytes());
		f.extend_from_slice(&0u32.to_le_bytes());
		f.extend_from_slice(&0u64.to_le_bytes());
		while f.len() % 32 != 0 {
			f.push(0);
		}
		for i in 0..6u32 {
			f.extend_from_slice(&(i as f32).to_le_bytes());
		}
		f
	}

	#[test]
	fn parses_a_well_formed_file() {
		let f = tiny();
		let g = Gguf::parse(&f).expect("valid");
		assert_eq!(g.get("general.architecture").and_then(|v| v.as_str()), Some("llama"));
		let t = g.tensor("t").expect("tensor");
		assert_eq!((t.dims.clone(), t.ty, t.len), (alloc::vec![3, 2], TensorType::F32, 24));
		assert_eq!(&f[t.start..t.start + 4], &0f32.to_le_bytes());
	}

	#[test]
	fn every_truncation_is_an_error_not_a_panic() {
		let f = tiny();
		for n in 0..f.len() {
			assert!(Gguf::parse(&f[..n]).is_err(), "a file cut at {n} bytes parsed");
		}
		let mut bad = f.clone();
		bad[0] = b'X';
		assert_eq!(Gguf::parse(&bad).err(), Some(GgufError::BadMagic));
		let mut v9 = f.clone();
		v9[4] = 9;
		assert_eq!(Gguf::parse(&v9).err(), Some(GgufError::UnsupportedVersion(9)));
	}
}
