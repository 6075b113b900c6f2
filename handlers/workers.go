package handlers

import (
	"sync"
	"time"
)

// workerIdle is how long a worker waits for another message before it ends.
const workerIdle = 10 * time.Second

// workers run functions on goroutines kept between calls. A message's work
// (the sender's read, the engine, the commit) runs deep through SQLite's
// code: on a new goroutine each time it started on the smallest stack and
// grew it, copying, on every message (4–5 % of the CPU of a `帮助` under
// load). A kept goroutine keeps its grown stack. There is no bound here: a
// call never waits for a worker, one is started when none is idle (the
// webhook's slots bound the messages taken), and idle ones end after
// workerIdle.
type workers struct {
	once sync.Once
	jobs chan func() // unbuffered: a send succeeds only to an idle worker
}

// run calls f on an idle worker, or on a new one.
func (p *workers) run(f func()) {
	p.once.Do(func() { p.jobs = make(chan func()) })
	select {
	case p.jobs <- f:
	default:
		go p.work(f)
	}
}

func (p *workers) work(f func()) {
	f()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		select {
		case f := <-p.jobs:
			f()
			idle.Reset(workerIdle)
		case <-idle.C:
			return
		}
	}
}
