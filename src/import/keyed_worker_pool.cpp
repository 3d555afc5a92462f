#include "import/keyed_worker_pool.hpp"

#include <utility>

namespace actionlog::import {

KeyedWorkerPool::KeyedWorkerPool(int workers, std::size_t queue_capacity)
    : capacity_(queue_capacity == 0 ? 1 : queue_capacity) {
  const int n = workers < 1 ? 1 : workers;
  for (int i = 0; i < n; ++i) {
    workers_.push_back(std::make_unique<Worker>());
  }
  for (auto& worker : workers_) {
    worker->thread = std::thread([w = worker.get()] { Run(*w); });
  }
}

KeyedWorkerPool::~KeyedWorkerPool() {
  for (auto& worker : workers_) {
    {
      const std::lock_guard lock(worker->mu);
      worker->stop = true;
    }
    worker->changed.notify_all();
  }
  for (auto& worker : workers_) {
    worker->thread.join();
  }
}

void KeyedWorkerPool::Submit(std::size_t key, std::function<void()> task) {
  Worker& worker = *workers_[key % workers_.size()];
  std::unique_lock lock(worker.mu);
  worker.changed.wait(lock, [&] { return worker.queue.size() < capacity_; });
  worker.queue.push_back(std::move(task));
  lock.unlock();
  worker.changed.notify_all();
}

void KeyedWorkerPool::Drain() {
  for (auto& worker : workers_) {
    std::unique_lock lock(worker->mu);
    worker->changed.wait(lock, [&] { return worker->queue.empty() && !worker->busy; });
  }
}

void KeyedWorkerPool::Run(Worker& worker) {
  std::unique_lock lock(worker.mu);
  while (true) {
    worker.changed.wait(lock, [&] { return worker.stop || !worker.queue.empty(); });
    if (worker.queue.empty()) {
      return;
    }
    std::function<void()> task = std::move(worker.queue.front());
    worker.queue.pop_front();
    worker.busy = true;
    lock.unlock();
    worker.changed.notify_all();
    task();
    lock.lock();
    worker.busy = false;
    worker.changed.notify_all();
  }
}

}  // namespace actionlog::import
