//! The node's inference: the models in `--model-dir`, and the engine runs off-chain workers ask for.
//!
//! - [`ModelStore`] loads every `*.gguf` file of the model directory in the background at start-up and keys it
//!   by its engine commitment; a job for a commitment that no file has is refused with a log line that lists
//!   what the directory holds, with each file's commitment.
//! - [`Runner`] implements the host side of `sibyl_inference::infer`: a job is started once (by its key) on a
//!   dedicated thread with its own bounded engine thread pool (`--inference-threads`), so inference never
//!   runs on the import or authoring paths and never blocks an off-chain worker; its outcome is kept for a while
//!   for the workers that ask again.
//!
//! The outcome depends only on the model and the job (the engine's result does not depend on its thread count):
//! nothing of the node's own (threads, files, clocks) reaches a committed value.

use std::{
	collections::HashMap,
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicBool, AtomicU32, Ordering},
		mpsc, Arc, Condvar, Mutex, RwLock,
	},
	time::{Duration, Instant},
};

use crate::engine_cmd::hex;
use sibyl_engine::{gguf::Gguf, state::Request, tokenizer::Tokenizer, Model};
use sibyl_inference_primitives::{
	host::{InferenceRunner, Job, JobState, Outcome},
	Root,
};

const LOG: &str = "sibyl-inference";

/// The longest sequence the node loads models for (the engine's cap).
pub const MAX_SEQ: u32 = sibyl_engine::model::MAX_SEQ_CAP;

/// Where `scripts/setup.sh` puts the models: `$SIBYL_MODEL_DIR`, else `~/.cache/sibyl/models`.
pub fn default_model_dir() -> PathBuf {
	std::env::var("SIBYL_MODEL_DIR").map(PathBuf::from).unwrap_or_else(|_| {
		PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/sibyl/models")
	})
}

/// A loaded model and its tokenizer.
pub struct Loaded {
	/// The engine model.
	pub model: Model,
	/// Its tokenizer (from the GGUF metadata).
	pub tokenizer: Tokenizer,
}

/// The models of the model directory, by commitment.
pub struct ModelStore {
	dir: PathBuf,
	models: RwLock<HashMap<Root, Arc<Loaded>>>,
	/// Every file seen, with its commitment or why it could not be loaded.
	files: RwLock<Vec<(PathBuf, Result<Root, String>)>>,
	loading: AtomicBool,
}

impl ModelStore {
	/// Opens `dir` and loads its models on a background thread.
	pub fn open(dir: PathBuf) -> Arc<ModelStore> {
		let store = Arc::new(ModelStore {
			dir,
			models: RwLock::new(HashMap::new()),
			files: RwLock::new(Vec::new()),
			loading: AtomicBool::new(true),
		});
		let s = store.clone();
		let spawned = std::thread::Builder::new().name("sibyl-models".into()).spawn(move || {
			s.load_all();
			s.loading.store(false, Ordering::SeqCst);
		});
		if let Err(e) = spawned {
			log::error!(target: LOG, "could not start the model loader: {e}");
			store.loading.store(false, Ordering::SeqCst);
		}
		store
	}

	fn load_all(&self) {
		let entries = match std::fs::read_dir(&self.dir) {
			Ok(e) => e,
			Err(e) => {
				log::warn!(target: LOG, "model directory {}: {e}; this node runs no model", self.dir.display());
				return;
			},
		};
		let mut paths: Vec<PathBuf> = entries
			.filter_map(|e| e.ok().map(|e| e.path()))
			.filter(|p| p.extension().map(|x| x == "gguf").unwrap_or(false))
			.collect();
		paths.sort();
		for path in paths {
			let started = Instant::now();
			match load(&path) {
				Ok(l) => {
					let root = l.model.root();
					log::info!(
						target: LOG,
						"model {}: commitment {} ({} blocks, vocabulary {}), loaded in {:.1} s",
						path.display(),
						hex(&root),
						l.model.config.n_layer,
						l.model.config.n_vocab,
						started.elapsed().as_secs_f64()
					);
					self.write_files().push((path, Ok(root)));
					self.models.write().unwrap_or_else(|e| e.into_inner()).insert(root, Arc::new(l));
				},
				Err(e) => {
					log::warn!(target: LOG, "model {} refused: {e}", path.display());
					self.write_files().push((path, Err(e)));
				},
			}
		}
	}

	fn write_files(&self) -> std::sync::RwLockWriteGuard<'_, Vec<(PathBuf, Result<Root, String>)>> {
		self.files.write().unwrap_or_else(|e| e.into_inner())
	}

	/// The model with commitment `root`.
	pub fn get(&self, root: &Root) -> Option<Arc<Loaded>> {
		self.models.read().unwrap_or_else(|e| e.into_inner()).get(root).cloned()
	}

	/// Whether the background loading is still going.
	pub fn loading(&self) -> bool {
		self.loading.load(Ordering::SeqCst)
	}

	/// What the directory holds, for a log line.
	pub fn describe(&self) -> String {
		let files = self.files.read().unwrap_or_else(|e| e.into_inner());
		if files.is_empty() {
			return format!("{} holds no model file", self.dir.display());
		}
		let list: Vec<String> = files
			.iter()
			.map(|(p, r)| match r {
				Ok(root) => format!("{} (commitment {})", p.display(), hex(root)),
				Err(e) => format!("{} (refused: {e})", p.display()),
			})
			.collect();
		format!("{} holds {}", self.dir.display(), list.join(", "))
	}
}

/// Loads a GGUF model and its tokenizer.
pub fn load(path: &Path) -> Result<Loaded, String> {
	let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
	let model = Model::from_gguf(&bytes).map_err(|e| format!("{e:?}"))?;
	let gguf = Gguf::parse(&bytes).map_err(|e| format!("{e:?}"))?;
	let tokenizer = Tokenizer::from_gguf(&gguf).map_err(|e| e.to_string())?;
	Ok(Loaded { model, tokenizer })
}

enum Entry {
	Running(Arc<AtomicU32>),
	Done(Outcome, Instant),
	Failed(String, Instant),
}

/// How long a finished job's outcome is kept for workers that ask again.
const KEEP: Duration = Duration::from_secs(3600);
/// Most jobs remembered; the oldest finished ones are forgotten first.
const MAX_JOBS: usize = 4096;

/// Runs inference jobs for off-chain workers: one at a time, in arrival order, on its own thread.
pub struct Runner {
	store: Arc<ModelStore>,
	jobs: Mutex<HashMap<[u8; 32], Entry>>,
	/// Notified whenever a job ends.
	ended: Condvar,
	queue: Mutex<mpsc::Sender<(Job, Arc<AtomicU32>)>>,
}

impl Runner {
	/// A runner over `store` whose engine uses `threads` threads (at least one).
	pub fn start(store: Arc<ModelStore>, threads: usize) -> Result<Arc<Runner>, String> {
		let (tx, rx) = mpsc::channel::<(Job, Arc<AtomicU32>)>();
		let runner = Arc::new(Runner {
			store,
			jobs: Mutex::new(HashMap::new()),
			ended: Condvar::new(),
			queue: Mutex::new(tx),
		});
		let pool = rayon::ThreadPoolBuilder::new()
			.num_threads(threads.max(1))
			.thread_name(|i| format!("sibyl-engine-{i}"))
			.build()
			.map_err(|e| format!("engine threads: {e}"))?;
		let weak = Arc::downgrade(&runner);
		std::thread::Builder::new()
			.name("sibyl-inference".into())
			.spawn(move || {
				while let Ok((job, generated)) = rx.recv() {
					let Some(runner) = weak.upgrade() else { return };
					let entry = runner.run(&pool, &job, &generated);
					runner.lock().insert(job.key, entry);
					runner.ended.notify_all();
				}
			})
			.map_err(|e| format!("inference thread: {e}"))?;
		Ok(runner)
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry>> {
		self.jobs.lock().unwrap_or_else(|e| e.into_inner())
	}

	fn run(&self, pool: &rayon::ThreadPool, job: &Job, generated: &AtomicU32) -> Entry {
		let Some(loaded) = self.store.get(&job.model) else {
			return Entry::Failed("model not loaded".into(), Instant::now());
		};
		let req = Request { prompt: job.prompt.clone(), max_new: job.max_new };
		let started = Instant::now();
		let mut progress = |m: &sibyl_engine::state::Meta| generated.store(m.generated, Ordering::Relaxed);
		let result = pool.install(|| sibyl_engine::run(&loaded.model, &req, None, Some(&mut progress)));
		match result {
			Ok(trace) => {
				let out = &trace.output;
				log::info!(
					target: LOG,
					"job {}: {} prompt tokens, {} generated, {} steps in {:.2} s",
					hex(&job.key[..4]),
					req.prompt.len(),
					out.output.len(),
					out.steps,
					started.elapsed().as_secs_f64()
				);
				Entry::Done(
					Outcome { output: out.output.clone(), final_root: out.final_root, steps: out.steps },
					Instant::now(),
				)
			},
			Err(e) => {
				log::warn!(target: LOG, "job {}: {e:?}", hex(&job.key[..4]));
				Entry::Failed(format!("{e:?}"), Instant::now())
			},
		}
	}

	fn forget_old(jobs: &mut HashMap<[u8; 32], Entry>) {
		let now = Instant::now();
		jobs.retain(|_, e| match e {
			Entry::Running(_) => true,
			Entry::Done(_, at) | Entry::Failed(_, at) => now.duration_since(*at) < KEEP,
		});
		while jobs.len() >= MAX_JOBS {
			let oldest = jobs
				.iter()
				.filter_map(|(k, e)| match e {
					Entry::Done(_, at) | Entry::Failed(_, at) => Some((*k, *at)),
					Entry::Running(_) => None,
				})
				.min_by_key(|(_, at)| *at)
				.map(|(k, _)| k);
			match oldest {
				Some(k) => {
					jobs.remove(&k);
				},
				None => break,
			}
		}
	}
}

impl Runner {
	fn state(jobs: &HashMap<[u8; 32], Entry>, key: &[u8; 32]) -> Option<JobState> {
		Some(match jobs.get(key)? {
			Entry::Running(g) => JobState::Running { generated: g.load(Ordering::Relaxed) },
			Entry::Done(o, _) => JobState::Done(o.clone()),
			Entry::Failed(e, _) => JobState::Failed(e.clone().into_bytes()),
		})
	}
}

impl InferenceRunner for Runner {
	fn infer(&self, job: Job, wait_ms: u32) -> JobState {
		let key = job.key;
		let mut jobs = self.lock();
		if Self::state(&jobs, &key).is_none() {
			if self.store.get(&job.model).is_none() {
				if self.store.loading() {
					return JobState::Running { generated: 0 };
				}
				log::error!(
					target: LOG,
					"no model file with commitment {} (refusing the job): {}",
					hex(&job.model),
					self.store.describe()
				);
				return JobState::ModelMissing;
			}
			if jobs.len() >= MAX_JOBS {
				Self::forget_old(&mut jobs);
			}
			let generated = Arc::new(AtomicU32::new(0));
			let sent = self.queue.lock().unwrap_or_else(|e| e.into_inner()).send((job, generated.clone()));
			if sent.is_err() {
				return JobState::Failed(b"the inference thread has stopped".to_vec());
			}
			jobs.insert(key, Entry::Running(generated));
		}
		// Wait (bounded) for it to end: a short inference is answered by this very worker.
		let deadline = Instant::now() + Duration::from_millis(wait_ms as u64);
		loop {
			let state = Self::state(&jobs, &key).unwrap_or(JobState::Running { generated: 0 });
			let left = deadline.saturating_duration_since(Instant::now());
			if !matches!(state, JobState::Running { .. }) || left.is_zero() {
				return state;
			}
			jobs = match self.ended.wait_timeout(jobs, left) {
				Ok((g, _)) => g,
				Err(e) => e.into_inner().0,
			};
		}
	}
}
