//! `Computed<T>`: a result computed once per snapshot, where whoever asks while it is being
//! computed waits for that computation instead of starting a second one.
//!
//! A write starts the analyses of the chains it touched in the background right away; a reader
//! that asks for one of them meanwhile waits for it (it never sees the analysis of data older than
//! the write it may just have made, and the two cores are not spent twice on the same chain).
//!
//! One exception keeps this free of deadlocks: a thread of rayon's pool never waits. The
//! analyses run on that pool, and while one of its threads computes a result it may pick up
//! (work-stealing) another job that asks for the very result it is computing; waiting there
//! would wait on itself. Such a thread computes the result itself; the first to finish is kept.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// A value computed at most once at a time and kept once computed.
pub struct Computed<T> {
    state: Mutex<State<T>>,
    done: Condvar,
}

enum State<T> {
    Empty,
    Running,
    Done(T),
}

impl<T> Default for Computed<T> {
    fn default() -> Self {
        Computed {
            state: Mutex::new(State::Empty),
            done: Condvar::new(),
        }
    }
}

impl<T: Clone> Computed<T> {
    /// A cell holding `value` already.
    pub fn with(value: T) -> Self {
        Computed {
            state: Mutex::new(State::Done(value)),
            done: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value, if computed.
    pub fn get(&self) -> Option<T> {
        match &*self.lock() {
            State::Done(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether the value is computed.
    pub fn is_done(&self) -> bool {
        matches!(*self.lock(), State::Done(_))
    }

    /// Whether nobody has computed the value nor is computing it now.
    pub fn is_idle(&self) -> bool {
        matches!(*self.lock(), State::Empty)
    }

    /// Waits until the value is computed or `deadline` passes, whichever comes first, and tells
    /// whether it is computed. Never computes it, and never waits on rayon's threads (see the
    /// module documentation): there it only looks.
    pub fn wait_until(&self, deadline: Instant) -> bool {
        let mut state = self.lock();
        loop {
            if matches!(*state, State::Done(_)) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline || rayon::current_thread_index().is_some() {
                return false;
            }
            state = self
                .done
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// The value, computing it with `compute` unless it is computed already; waits instead while
    /// another thread computes it (except on rayon's threads: see the module documentation).
    pub fn get_or_compute(&self, compute: impl FnOnce() -> T) -> T {
        let mut state = self.lock();
        loop {
            match &*state {
                State::Done(v) => return v.clone(),
                State::Running if rayon::current_thread_index().is_none() => {
                    state = self.done.wait(state).unwrap_or_else(|p| p.into_inner());
                }
                _ => break,
            }
        }
        let owner = matches!(*state, State::Empty);
        if owner {
            *state = State::Running;
        }
        drop(state);
        // If `compute` panics, the cell is empty again and the waiters retry.
        let reset = Reset { cell: self, owner };
        let value = compute();
        std::mem::forget(reset);
        let mut state = self.lock();
        let kept = match &*state {
            State::Done(v) => v.clone(),
            _ => {
                *state = State::Done(value.clone());
                value
            }
        };
        drop(state);
        self.done.notify_all();
        kept
    }
}

/// Empties a cell whose computation panicked, so that its waiters do not wait forever.
struct Reset<'a, T> {
    cell: &'a Computed<T>,
    owner: bool,
}

impl<T> Drop for Reset<'_, T> {
    fn drop(&mut self) {
        let mut state = self.cell.state.lock().unwrap_or_else(|p| p.into_inner());
        if self.owner && matches!(*state, State::Running) {
            *state = State::Empty;
        }
        drop(state);
        self.cell.done.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};

    #[test]
    fn a_second_asker_waits_for_the_first_computation() {
        let cell = Arc::new(Computed::<u32>::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let started = Arc::new(Barrier::new(2));
        let first = {
            let (cell, runs, started) = (cell.clone(), runs.clone(), started.clone());
            std::thread::spawn(move || {
                cell.get_or_compute(|| {
                    // The cell is `Running` from before this point, so the other asker, released
                    // by the barrier, finds it running whatever the timing.
                    started.wait();
                    runs.fetch_add(1, Ordering::SeqCst);
                    7
                })
            })
        };
        started.wait();
        let second = cell.get_or_compute(|| {
            runs.fetch_add(1, Ordering::SeqCst);
            8
        });
        assert_eq!(first.join().unwrap(), 7);
        // The second asker found the cell running (the first had started) and waited.
        assert_eq!(second, 7);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(cell.get(), Some(7));
    }

    #[test]
    fn waiting_until_a_deadline_never_computes_and_sees_another_threads_result() {
        let cell = Arc::new(Computed::<u32>::default());
        // Nobody computes it: the wait ends at its deadline, the cell untouched.
        assert!(!cell.wait_until(Instant::now()));
        assert!(cell.is_idle());
        let started = Arc::new(Barrier::new(2));
        let computing = {
            let (cell, started) = (cell.clone(), started.clone());
            std::thread::spawn(move || {
                cell.get_or_compute(|| {
                    started.wait();
                    9
                })
            })
        };
        started.wait();
        assert!(!cell.is_idle());
        // The deadline is only a guard against hanging: the other thread finishes long before.
        let far = Instant::now() + std::time::Duration::from_secs(120);
        assert!(cell.wait_until(far));
        assert_eq!(cell.get(), Some(9));
        assert_eq!(computing.join().unwrap(), 9);
    }

    #[test]
    fn a_panicking_computation_leaves_the_cell_empty_for_the_next_asker() {
        let cell = Arc::new(Computed::<u32>::default());
        let c = cell.clone();
        let panicked = std::thread::spawn(move || c.get_or_compute(|| panic!("boom"))).join();
        assert!(panicked.is_err());
        assert!(!cell.is_done());
        assert_eq!(cell.get_or_compute(|| 3), 3);
        assert_eq!(cell.get_or_compute(|| 4), 3);
    }

    #[test]
    fn rayon_threads_never_wait_on_a_result_they_may_be_computing() {
        // The shape that would deadlock with a waiting lock: a rayon job computing the value
        // asks for the same value from inside its own computation (as a stolen job would).
        let cell = Computed::<u32>::default();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let v = pool.install(|| cell.get_or_compute(|| cell.get_or_compute(|| 5) + 1));
        // The inner call computed and stored 5 first; the outer finds it stored and keeps it.
        assert_eq!(v, 5);
    }
}
