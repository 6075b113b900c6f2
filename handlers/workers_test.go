package handlers

import (
	"runtime"
	"sync"
	"testing"
)

// TestWorkersRunEverything: every function runs, a busy worker never makes a
// call wait (another starts), and a worker that finished takes the next call.
func TestWorkersRunEverything(t *testing.T) {
	var p workers
	block, blocked := make(chan struct{}), make(chan struct{})
	p.run(func() { close(blocked); <-block })
	<-blocked
	ran := make(chan struct{})
	p.run(func() { close(ran) }) // the first worker is busy: this one must not wait for it
	<-ran
	close(block)

	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	for range 200 {
		wg.Add(1)
		p.run(func() {
			defer wg.Done()
			mu.Lock()
			n++
			mu.Unlock()
		})
	}
	wg.Wait()
	if n != 200 {
		t.Fatalf("%d of 200 functions ran", n)
	}
	// An idle worker takes a call handed to it: the send succeeds only to one.
	took := make(chan struct{})
	for {
		select {
		case p.jobs <- func() { close(took) }:
			<-took
			return
		default: // the workers are still between calls: hand it over when one waits
			runtime.Gosched()
		}
	}
}
