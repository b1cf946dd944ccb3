//! A runtime of a client's own (the object store's, PostgreSQL's), on which
//! its requests run whoever asks. Its own, because callers wait for answers
//! on any thread (the blocking pool, start-up, the command line, tests'
//! runtimes that end after each test), where `block_on` may panic, and a
//! client's connections belong to the runtime that made them.

use std::future::Future;
use std::sync::OnceLock;
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinHandle;

pub struct IoRuntime {
    name: &'static str,
    workers: usize,
    runtime: OnceLock<Runtime>,
}

impl IoRuntime {
    /// `workers` threads named `name`, started at first use.
    pub const fn new(name: &'static str, workers: usize) -> Self {
        Self { name, workers, runtime: OnceLock::new() }
    }

    pub fn spawn<T: Send + 'static>(&self, task: impl Future<Output = T> + Send + 'static) -> JoinHandle<T> {
        self.runtime().spawn(task)
    }

    /// Runs `task` here, blocking the caller until it is done.
    pub fn wait<T: Send + 'static>(&self, task: impl Future<Output = T> + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.spawn(async move {
            let _ = tx.send(task.await);
        });
        rx.recv().unwrap_or_else(|_| panic!("a task on the {} runtime panicked", self.name))
    }

    fn runtime(&self) -> &Runtime {
        self.runtime.get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(self.workers)
                .thread_name(self.name)
                .enable_all()
                .build()
                .unwrap_or_else(|e| panic!("the {} runtime: {e}", self.name))
        })
    }
}
