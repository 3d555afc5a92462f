// A fixed set of worker threads, each with its own bounded FIFO queue. A task goes to the worker
// chosen by its key, so tasks with equal keys run one after another in submission order while
// tasks with different keys may run concurrently.
//
// Thread-safety: Submit and Drain are called from one producer thread. Tasks must not throw.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace actionlog::import {

class KeyedWorkerPool {
 public:
  // workers >= 1; each queue holds at most `queue_capacity` waiting tasks.
  KeyedWorkerPool(int workers, std::size_t queue_capacity);
  ~KeyedWorkerPool();
  KeyedWorkerPool(const KeyedWorkerPool&) = delete;
  KeyedWorkerPool& operator=(const KeyedWorkerPool&) = delete;

  // Queues `task` on the worker for `key`; blocks while that worker's queue is full.
  void Submit(std::size_t key, std::function<void()> task);
  // Returns once every submitted task has finished.
  void Drain();

 private:
  struct Worker {
    std::mutex mu;
    std::condition_variable changed;
    std::deque<std::function<void()>> queue;
    bool busy = false;
    bool stop = false;
    std::thread thread;
  };

  static void Run(Worker& worker);

  std::size_t capacity_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace actionlog::import
