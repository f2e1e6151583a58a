//! `verify_step` as a WASM module, for tests that compare it with native execution.
//!
//! Built for wasm32 (`no_std`), the crate exports:
//! - `alloc(len) -> ptr`: room for an input;
//! - `verify(ptr, len) -> u64`: decodes a SCALE-encoded `StepProof` at `ptr`, runs `verify_step` (blake2 in
//!   WASM), and returns `(out_ptr << 32) | out_len` of the SCALE-encoded `Result<[u8; 32], String>`;
//! - `verify_host(ptr, len) -> u64`: the same with `verify_step_with::<HostBlake2>`, hashing through
//!   `sp_io`'s host function `env.ext_hashing_blake2_256_version_1` as a runtime would (the host provides it;
//!   it returns its 32 bytes in memory it obtains from this module's `alloc`).
//!
//! Built natively (`std`), it embeds that module as [`WASM_BINARY`].

#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

#[cfg(not(feature = "std"))]
mod guest {
	extern crate alloc;
	use alloc::{format, string::String, vec::Vec};
	use codec::{Decode, Encode};
	use core::alloc::{GlobalAlloc, Layout};

	/// A bump allocator: a verification is one short call, and the host discards the instance after it.
	struct Bump;

	static mut NEXT: usize = 0;

	unsafe impl GlobalAlloc for Bump {
		unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
			extern "C" {
				static __heap_base: u8;
			}
			unsafe {
				if NEXT == 0 {
					NEXT = &__heap_base as *const u8 as usize;
				}
				let start = (NEXT + layout.align() - 1) & !(layout.align() - 1);
				let end = start + layout.size();
				let have = core::arch::wasm32::memory_size(0) * 65536;
				if end > have {
					let pages = (end - have).div_ceil(65536);
					if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
						return core::ptr::null_mut();
					}
				}
				NEXT = end;
				start as *mut u8
			}
		}
		unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
	}

	#[global_allocator]
	static ALLOC: Bump = Bump;

	#[panic_handler]
	fn panic(_: &core::panic::PanicInfo) -> ! {
		core::arch::wasm32::unreachable()
	}

	#[no_mangle]
	pub extern "C" fn alloc(len: u32) -> u32 {
		let mut v = Vec::<u8>::with_capacity(len as usize);
		let p = v.as_mut_ptr() as u32;
		core::mem::forget(v);
		p
	}

	/// Decodes the proof at `ptr`, verifies it with hasher `H`, and returns the packed location of the result.
	fn run<H: sibyl_engine::merkle::Blake2>(ptr: u32, len: u32) -> u64 {
		let input = unsafe { core::slice::from_raw_parts(ptr as *const u8, len as usize) };
		let result: Result<[u8; 32], String> = match <([u8; 32], sibyl_engine::StepProof)>::decode(&mut &input[..]) {
			Ok((pre, proof)) => sibyl_engine::verify_step_with::<H>(&pre, &proof).map_err(|e| format!("{e:?}")),
			Err(e) => Err(format!("decode: {e:?}")),
		};
		let out = result.encode();
		let p = out.as_ptr() as u64;
		let n = out.len() as u64;
		core::mem::forget(out);
		(p << 32) | n
	}

	#[no_mangle]
	pub extern "C" fn verify(ptr: u32, len: u32) -> u64 {
		run::<sibyl_engine::merkle::PureBlake2>(ptr, len)
	}

	#[no_mangle]
	pub extern "C" fn verify_host(ptr: u32, len: u32) -> u64 {
		run::<sibyl_engine::merkle::HostBlake2>(ptr, len)
	}
}
