//! The node's inference: the models in `--model-dir`, and the engine runs off-chain workers ask for.
//!
//! - [`ModelStore`] loads every `*.gguf` file of the model directory in the background at start-up and keys it
//!   by its engine commitment; a job for a commitment that no file has is refused with a log line that lists
//!   what the directory holds, with each file's commitment.
//! - [`Runner`] implements the host side of `sibyl_inference::infer` and `sibyl_inference::trace`: a job is
//!   started once (by its key), runs one at a time with a bounded engine thread pool (`--inference-threads`), so
//!   inference never runs on the import or authoring paths and never blocks an off-chain worker. Each run's
//!   thread keeps its trace afterwards (the [`MAX_KEPT`] most recently used runs) to answer the dispute game's
//!   queries: roots, headers, one-step proofs. A forgotten run is run again when asked about: same bytes.
//!
//! The outcome depends only on the model and the job (the engine's result does not depend on its thread count):
//! nothing of the node's own (threads, files, clocks) reaches a committed value.

use std::{
	collections::{HashMap, VecDeque},
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicBool, AtomicU32, Ordering},
		mpsc, Arc, Condvar, Mutex, RwLock,
	},
	time::{Duration, Instant},
};

use crate::engine_cmd::hex;
use sibyl_engine::{gguf::Gguf, state::Request, tokenizer::Tokenizer, Model};
use codec::Encode;
use sibyl_inference_primitives::{
	host::{answer, InferenceRunner, Job, JobState, Lie, Outcome, TraceAnswer, TraceQuery},
	Root,
};

const LOG: &str = "sibyl-inference";

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

/// Loads a GGUF model and its tokenizer, memory-mapped: the weights are in memory once, as the file's pages.
pub fn load(path: &Path) -> Result<Loaded, String> {
	let file = sibyl_engine::model::map_file(path)?;
	let model = Model::from_gguf_shared(file.clone()).map_err(|e| format!("{e:?}"))?;
	let gguf = Gguf::parse((*file).as_ref()).map_err(|e| format!("{e:?}"))?;
	let tokenizer = Tokenizer::from_gguf(&gguf).map_err(|e| e.to_string())?;
	Ok(Loaded { model, tokenizer })
}

/// A kept run: its outcome, and the thread that holds its trace and answers queries about it.
struct Kept {
	outcome: Outcome,
	asks: mpsc::Sender<Ask>,
	used: Instant,
}

enum Entry {
	Running(Arc<AtomicU32>),
	Ready(Kept),
	Failed(String, Instant),
}

/// A query for a kept run's thread, and where its answer goes.
struct Ask {
	query: TraceQuery,
	reply: mpsc::Sender<TraceAnswer>,
}

/// How long a failed job's reason, or a run no worker asked about, is kept.
const KEEP: Duration = Duration::from_secs(3600);
/// Most runs kept (each holds its trace: the KV cache and a register checkpoint per position); the least
/// recently used is forgotten first, and run again if it is asked about later.
const MAX_KEPT: usize = 16;
/// Most jobs remembered in all.
const MAX_JOBS: usize = 4096;
/// Most answers a kept run remembers (a worker that gave up waiting gets it on its next call).
const MAX_ANSWERS: usize = 64;

/// What the node's operator and verifier workers may do, besides running jobs.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
	/// Percent of other operators' results this node re-runs to check them (`--verify-share`).
	pub verify_share: u8,
	/// A test network's dishonest operator (`--dishonest-from-step`).
	pub lie: Option<Lie>,
}

/// Runs inference jobs for off-chain workers: one run at a time, in arrival order. Each run happens on a thread
/// of its own that keeps the trace afterwards and answers the dispute game's queries about it.
pub struct Runner {
	store: Arc<ModelStore>,
	policy: Policy,
	/// This node's choice of which results it verifies (random per start: nodes choose independently).
	salt: [u8; 32],
	jobs: Mutex<HashMap<[u8; 32], Entry>>,
	/// Notified whenever a job ends.
	ended: Condvar,
	queue: Mutex<mpsc::Sender<(Job, Arc<AtomicU32>, bool)>>,
	/// Jobs queued for verification and asked for since by this node's operator: queued again, to serve first.
	promoted: Mutex<std::collections::HashSet<[u8; 32]>>,
}

impl Runner {
	/// A runner over `store` whose engine uses `threads` threads (at least one).
	pub fn start(store: Arc<ModelStore>, threads: usize, policy: Policy) -> Result<Arc<Runner>, String> {
		let (tx, rx) = mpsc::channel::<(Job, Arc<AtomicU32>, bool)>();
		let runner = Arc::new(Runner {
			store,
			policy,
			salt: sp_io::hashing::blake2_256(format!("{:?}/{}", std::time::SystemTime::now(), std::process::id()).as_bytes()),
			jobs: Mutex::new(HashMap::new()),
			ended: Condvar::new(),
			queue: Mutex::new(tx),
			promoted: Default::default(),
		});
		let pool = Arc::new(
			rayon::ThreadPoolBuilder::new()
				.num_threads(threads.max(1))
				.thread_name(|i| format!("sibyl-engine-{i}"))
				.build()
				.map_err(|e| format!("engine threads: {e}"))?,
		);
		let weak = Arc::downgrade(&runner);
		std::thread::Builder::new()
			.name("sibyl-inference".into())
			.spawn(move || {
				// The operator's own jobs (it has a deadline) before the jobs it only verifies.
				let (mut serve, mut verify) = (VecDeque::new(), VecDeque::new());
				loop {
					if serve.is_empty() && verify.is_empty() {
						match rx.recv() {
							Ok((job, _, own)) => if own { serve.push_back(job) } else { verify.push_back(job) },
							Err(_) => return,
						}
					}
					while let Ok((job, _, own)) = rx.try_recv() {
						if own { serve.push_back(job) } else { verify.push_back(job) }
					}
					let Some(job) = serve.pop_front().or_else(|| verify.pop_front()) else { continue };
					let Some(runner) = weak.upgrade() else { return };
					runner.promoted.lock().unwrap_or_else(|e| e.into_inner()).remove(&job.key);
					// A job queued twice (promoted) runs once.
					let generated = match runner.lock().get(&job.key) {
						Some(Entry::Running(g)) => g.clone(),
						_ => continue,
					};
					let entry = runner.run(&pool, job.clone(), generated);
					let mut jobs = runner.lock();
					Self::forget_old(&mut jobs);
					jobs.insert(job.key, entry);
					drop(jobs);
					runner.ended.notify_all();
				}
			})
			.map_err(|e| format!("inference thread: {e}"))?;
		Ok(runner)
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry>> {
		self.jobs.lock().unwrap_or_else(|e| e.into_inner())
	}

	/// Runs `job` on a thread that then keeps its trace; returns when the run has ended.
	fn run(&self, pool: &Arc<rayon::ThreadPool>, job: Job, generated: Arc<AtomicU32>) -> Entry {
		let Some(loaded) = self.store.get(&job.model) else {
			return Entry::Failed("model not loaded".into(), Instant::now());
		};
		let (done_tx, done_rx) = mpsc::channel::<Result<Outcome, String>>();
		let (asks_tx, asks_rx) = mpsc::channel::<Ask>();
		let pool = pool.clone();
		let lie = self.policy.lie;
		let key = job.key;
		let spawned = std::thread::Builder::new().name("sibyl-trace".into()).spawn(move || {
			keep(&loaded, &pool, &job, &generated, lie, done_tx, asks_rx)
		});
		if let Err(e) = spawned {
			return Entry::Failed(format!("trace thread: {e}"), Instant::now());
		}
		match done_rx.recv() {
			Ok(Ok(outcome)) => Entry::Ready(Kept { outcome, asks: asks_tx, used: Instant::now() }),
			Ok(Err(e)) => {
				log::warn!(target: LOG, "job {}: {e}", hex(&key[..4]));
				Entry::Failed(e, Instant::now())
			},
			Err(_) => Entry::Failed("the run's thread stopped".into(), Instant::now()),
		}
	}

	/// Forgets failures and unused runs older than [`KEEP`], then the least recently used runs over
	/// [`MAX_KEPT`] and the oldest entries over [`MAX_JOBS`]. A forgotten run's thread ends with it.
	fn forget_old(jobs: &mut HashMap<[u8; 32], Entry>) {
		let now = Instant::now();
		jobs.retain(|_, e| match e {
			Entry::Running(_) => true,
			Entry::Ready(k) => now.duration_since(k.used) < KEEP,
			Entry::Failed(_, at) => now.duration_since(*at) < KEEP,
		});
		loop {
			let kept = jobs.values().filter(|e| matches!(e, Entry::Ready(_))).count();
			let victim = jobs
				.iter()
				.filter_map(|(k, e)| match e {
					Entry::Ready(r) if kept >= MAX_KEPT || jobs.len() >= MAX_JOBS => Some((*k, r.used)),
					Entry::Failed(_, at) if jobs.len() >= MAX_JOBS => Some((*k, *at)),
					_ => None,
				})
				.min_by_key(|(_, at)| *at)
				.map(|(k, _)| k);
			match victim {
				Some(k) => {
					jobs.remove(&k);
				},
				None => break,
			}
		}
	}

	fn state(jobs: &HashMap<[u8; 32], Entry>, key: &[u8; 32]) -> Option<JobState> {
		Some(match jobs.get(key)? {
			Entry::Running(g) => JobState::Running { generated: g.load(Ordering::Relaxed) },
			Entry::Ready(k) => JobState::Done(k.outcome.clone()),
			Entry::Failed(e, _) => JobState::Failed(e.clone().into_bytes()),
		})
	}

	/// Whether this node verifies the job with key `key`.
	fn verifies(&self, key: &[u8; 32]) -> bool {
		selected(&self.salt, key, self.policy.verify_share)
	}

	/// Starts `job` if it is new and waits (until `deadline`) for its run to end.
	/// Starts `job` if it is new (`own`: the operator's own job, run before the jobs it only verifies) and waits
	/// (until `deadline`) for its run to end.
	fn wait_run(
		&self,
		job: Job,
		own: bool,
		deadline: Instant,
	) -> (std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry>>, JobState) {
		let key = job.key;
		let mut jobs = self.lock();
		if own && matches!(jobs.get(&key), Some(Entry::Running(_))) &&
			self.promoted.lock().unwrap_or_else(|e| e.into_inner()).insert(key)
		{
			// Queued to verify it, and now to serve it: queued again, to run first if it has not started.
			let g = Arc::new(AtomicU32::new(0));
			let _ = self.queue.lock().unwrap_or_else(|e| e.into_inner()).send((job.clone(), g, true));
		}
		if Self::state(&jobs, &key).is_none() {
			if self.store.get(&job.model).is_none() {
				if self.store.loading() {
					return (jobs, JobState::Running { generated: 0 });
				}
				log::error!(
					target: LOG,
					"no model file with commitment {} (refusing the job): {}",
					hex(&job.model),
					self.store.describe()
				);
				return (jobs, JobState::ModelMissing);
			}
			let generated = Arc::new(AtomicU32::new(0));
			let sent = self.queue.lock().unwrap_or_else(|e| e.into_inner()).send((job, generated.clone(), own));
			if sent.is_err() {
				return (jobs, JobState::Failed(b"the inference thread has stopped".to_vec()));
			}
			jobs.insert(key, Entry::Running(generated));
		}
		// Wait (bounded) for it to end: a short inference is answered by this very worker.
		loop {
			let state = Self::state(&jobs, &key).unwrap_or(JobState::Running { generated: 0 });
			let left = deadline.saturating_duration_since(Instant::now());
			if !matches!(state, JobState::Running { .. }) || left.is_zero() {
				return (jobs, state);
			}
			jobs = match self.ended.wait_timeout(jobs, left) {
				Ok((g, _)) => g,
				Err(e) => e.into_inner().0,
			};
		}
	}
}

/// Whether a node with `salt` verifies the job `key` when it verifies `share` percent of the jobs: each job is
/// chosen with that probability, independently of other nodes (whose salts differ).
fn selected(salt: &[u8; 32], key: &[u8; 32], share: u8) -> bool {
	let h = sp_io::hashing::blake2_256(&[&salt[..], &key[..]].concat());
	(u16::from_le_bytes([h[0], h[1]]) as u32 * 100) < share as u32 * 65_536
}

/// The thread of one run: runs it, reports the outcome, then answers queries from its trace until the runner
/// forgets it.
fn keep(
	loaded: &Loaded,
	pool: &rayon::ThreadPool,
	job: &Job,
	generated: &AtomicU32,
	lie: Option<Lie>,
	done: mpsc::Sender<Result<Outcome, String>>,
	asks: mpsc::Receiver<Ask>,
) {
	let req = Request { prompt: job.prompt.clone(), max_new: job.max_new };
	let started = Instant::now();
	let mut progress = |m: &sibyl_engine::state::Meta| generated.store(m.generated, Ordering::Relaxed);
	let trace = match pool.install(|| sibyl_engine::run(&loaded.model, &req, None, Some(&mut progress))) {
		Ok(t) => t,
		Err(e) => {
			let _ = done.send(Err(format!("{e:?}")));
			return;
		},
	};
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
	if done.send(Ok(Outcome { output: out.output.clone(), final_root: out.final_root, steps: out.steps })).is_err() {
		return;
	}
	drop(done);
	let mut answers: HashMap<Vec<u8>, TraceAnswer> = HashMap::new();
	while let Ok(ask) = asks.recv() {
		let q = ask.query.encode();
		let a = match answers.get(&q) {
			Some(a) => a.clone(),
			None => {
				let started = Instant::now();
				let a = pool.install(|| answer(&trace, &ask.query, lie));
				log::debug!(target: LOG, "job {}: answered {:?} in {:.2} s", hex(&job.key[..4]), kind(&ask.query), started.elapsed().as_secs_f64());
				if answers.len() >= MAX_ANSWERS {
					answers.clear();
				}
				answers.insert(q, a.clone());
				a
			},
		};
		let _ = ask.reply.send(a);
	}
}

/// A query's kind, for logs.
fn kind(q: &TraceQuery) -> &'static str {
	match q {
		TraceQuery::Outcome => "outcome",
		TraceQuery::Verify => "verify",
		TraceQuery::Roots(_) => "roots",
		TraceQuery::Header(_) => "header",
		TraceQuery::Proof(_) => "proof",
		TraceQuery::Token(_) => "token",
	}
}

impl InferenceRunner for Runner {
	fn infer(&self, job: Job, wait_ms: u32) -> JobState {
		let deadline = Instant::now() + Duration::from_millis(wait_ms as u64);
		let (jobs, state) = self.wait_run(job, true, deadline);
		drop(jobs);
		match (state, self.policy.lie) {
			(JobState::Done(o), Some(lie)) => JobState::Done(lie.outcome(&o)),
			(s, _) => s,
		}
	}

	fn trace(&self, job: Job, query: TraceQuery, wait_ms: u32) -> TraceAnswer {
		if query == TraceQuery::Verify && !self.verifies(&job.key) {
			return TraceAnswer::Declined;
		}
		let key = job.key;
		let deadline = Instant::now() + Duration::from_millis(wait_ms as u64);
		let own = query == TraceQuery::Outcome;
		let (mut jobs, state) = self.wait_run(job, own, deadline);
		let asks = match state {
			JobState::Done(o) => {
				if matches!(query, TraceQuery::Outcome | TraceQuery::Verify) {
					return TraceAnswer::Outcome(match self.policy.lie {
						Some(lie) => lie.outcome(&o),
						None => o,
					});
				}
				match jobs.get_mut(&key) {
					Some(Entry::Ready(k)) => {
						k.used = Instant::now();
						k.asks.clone()
					},
					_ => return TraceAnswer::Running { generated: 0 },
				}
			},
			JobState::Running { generated } => return TraceAnswer::Running { generated },
			JobState::ModelMissing => return TraceAnswer::ModelMissing,
			JobState::Failed(why) => return TraceAnswer::Failed(why),
			JobState::Unavailable => return TraceAnswer::Unavailable,
		};
		drop(jobs);
		let (reply, answer) = mpsc::channel();
		if asks.send(Ask { query, reply }).is_err() {
			return TraceAnswer::Failed(b"the run's thread stopped".to_vec());
		}
		match answer.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
			Ok(a) => a,
			// Still computing: the thread keeps the answer for the next call.
			Err(_) => TraceAnswer::Running { generated: 0 },
		}
	}
}

#[cfg(test)]
mod tests {
	use super::selected;

	#[test]
	fn a_node_verifies_its_share_of_the_jobs_and_nodes_choose_independently() {
		let keys: Vec<[u8; 32]> = (0u32..4_000).map(|i| sp_io::hashing::blake2_256(&i.to_le_bytes())).collect();
		let count = |salt: &[u8; 32], share| keys.iter().filter(|k| selected(salt, k, share)).count();
		let (a, b) = ([1u8; 32], [2u8; 32]);
		assert_eq!(count(&a, 0), 0);
		assert_eq!(count(&a, 100), keys.len());
		for share in [10u8, 50, 90] {
			let n = count(&a, share) as f64 / keys.len() as f64;
			assert!((n - share as f64 / 100.0).abs() < 0.03, "share {share}: {n}");
		}
		// Two nodes verifying half each check different halves: about a quarter of the jobs by both.
		let both = keys.iter().filter(|k| selected(&a, k, 50) && selected(&b, k, 50)).count() as f64;
		assert!((both / keys.len() as f64 - 0.25).abs() < 0.03, "{both}");
	}
}
