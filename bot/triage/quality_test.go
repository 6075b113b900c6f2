package triage

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gongzhi/gongzhi/models"
)

// devLine is one labelled appeal of testdata/dev.tsv.
type devLine struct {
	id    string
	kind  models.Kind
	level models.Level
	topic string
	text  string
}

// heldOut is the split rule, fixed before any result was looked at (see
// docs/classification.md): a line is held out when the number in its id is a
// multiple of 3 (d003, d006, …): 53 of 160 lines, about one third.
func heldOut(id string) bool {
	n, err := strconv.Atoi(strings.TrimLeft(id, "d"))
	return err == nil && n%3 == 0
}

func readDev(t testing.TB) []devLine { return readLabelled(t, "testdata/dev.tsv") }

func readLabelled(t testing.TB, path string) []devLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []devLine
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		if first {
			continue // header
		}
		p := strings.Split(sc.Text(), "\t")
		if len(p) != 5 {
			t.Fatalf("%s: bad line %q", path, sc.Text())
		}
		out = append(out, devLine{p[0], models.Kind(p[1]), models.Level(p[2]), p[3], p[4]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	sharedOnce sync.Once
	shared     *Classifier
	sharedErr  error
)

// testClassifier builds the default classifier once for the whole test binary.
func testClassifier(t testing.TB) *Classifier {
	t.Helper()
	sharedOnce.Do(func() {
		cat, err := Default()
		if err != nil {
			sharedErr = err
			return
		}
		shared, sharedErr = New(cat)
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

// figures are the contract's scores on a set of lines.
type figures struct {
	n, decided, asked, rightDecided, rightAsked int
	levelRight                                  int // decided lines whose level is right too
	// confusion[true kind][decided kind, or "ask"]
	confusion map[models.Kind]map[string]int
}

func (f figures) overall() float64      { return ratio(f.rightDecided+f.rightAsked, f.n) }
func (f figures) amongDecided() float64 { return ratio(f.rightDecided, f.decided) }
func (f figures) askedShare() float64   { return ratio(f.asked, f.n) }
func ratio(a, b int) float64            { return float64(a) / float64(max(b, 1)) }
func (f figures) String() string {
	return fmt.Sprintf("n=%d right overall %.1f%% (%d), right among decided %.1f%% (%d/%d), asked %.1f%% (%d, %d right), level right among decided-right %d",
		f.n, 100*f.overall(), f.rightDecided+f.rightAsked, 100*f.amongDecided(), f.rightDecided, f.decided,
		100*f.askedShare(), f.asked, f.rightAsked, f.levelRight)
}

func score(c *Classifier, lines []devLine, wrong func(devLine, Decision)) figures {
	f := figures{confusion: map[models.Kind]map[string]int{}}
	for _, l := range lines {
		d := c.Classify(l.text)
		f.n++
		if f.confusion[l.kind] == nil {
			f.confusion[l.kind] = map[string]int{}
		}
		if d.Question != "" {
			f.asked++
			f.confusion[l.kind]["ask"]++
			if slices.Contains(d.Choices, l.kind) {
				f.rightAsked++
				continue
			}
		} else {
			f.decided++
			f.confusion[l.kind][string(d.Kind)]++
			if d.Kind == l.kind {
				f.rightDecided++
				if d.Level == l.level {
					f.levelRight++
				}
				continue
			}
		}
		if wrong != nil {
			wrong(l, d)
		}
	}
	return f
}

func (f figures) matrix() string {
	var b strings.Builder
	cols := []string{"major", "small", "private", "ask"}
	fmt.Fprintf(&b, "| true \\ decided | %s |\n|---|---|---|---|---|\n", strings.Join(cols, " | "))
	for _, k := range []models.Kind{models.KindMajor, models.KindSmall, models.KindPrivate} {
		fmt.Fprintf(&b, "| %s |", k)
		for _, c := range cols {
			fmt.Fprintf(&b, " %d |", f.confusion[k][c])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestTuningQuality reports the figures on the tuning part. It only fails far
// below the goals; set TRIAGE_SHOW=1 to list the tuning lines it gets wrong.
func TestTuningQuality(t *testing.T) {
	c := testClassifier(t)
	var tuning []devLine
	for _, l := range readDev(t) {
		if !heldOut(l.id) {
			tuning = append(tuning, l)
		}
	}
	show := os.Getenv("TRIAGE_SHOW") != ""
	f := score(c, tuning, func(l devLine, d Decision) {
		if show {
			t.Logf("WRONG %s %s/%s %q → %s %s %v %.2f", l.id, l.kind, l.topic, l.text, d.Kind, d.Topic, d.Choices, d.Confidence)
		}
	})
	t.Logf("tuning: %s\n%s", f, f.matrix())
	if f.overall() < 0.85 {
		t.Errorf("tuning part: right overall %.3f < 0.85", f.overall())
	}
}

// TestHeldOutQuality guards the figures on the held-out part. The floors sit
// slightly under what was measured (docs/classification.md), so a change that
// makes classification worse fails here instead of passing silently.
func TestHeldOutQuality(t *testing.T) {
	c := testClassifier(t)
	var held []devLine
	for _, l := range readDev(t) {
		if heldOut(l.id) {
			held = append(held, l)
		}
	}
	if len(held) != 53 {
		t.Fatalf("held-out part has %d lines, want 53: did dev.tsv change?", len(held))
	}
	f := score(c, held, nil) // wrong lines are not printed: nobody tunes on them
	t.Logf("held-out: %s\n%s", f, f.matrix())
	const (
		floorOverall = 0.94
		floorDecided = 0.94
		ceilingAsked = 0.10
	)
	if got := f.overall(); got < floorOverall {
		t.Errorf("held-out right overall = %.3f, floor %.2f", got, floorOverall)
	}
	if got := f.amongDecided(); got < floorDecided {
		t.Errorf("held-out right among decided = %.3f, floor %.2f", got, floorDecided)
	}
	if got := f.askedShare(); got > ceilingAsked {
		t.Errorf("held-out asked = %.3f, ceiling %.2f", got, ceilingAsked)
	}
}

// TestFreshQuality scores testdata/fresh.tsv: 150 appeals written and
// labelled from domain.md alone by someone who never saw the catalog, the
// classifier or dev.tsv, after the classifier was built. It is the honest
// estimate of quality on unseen wording (docs/classification.md); nobody
// tunes on it, so wrong lines are never printed.
func TestFreshQuality(t *testing.T) {
	c := testClassifier(t)
	fresh := readLabelled(t, "testdata/fresh.tsv")
	if len(fresh) != 150 {
		t.Fatalf("fresh.tsv has %d lines, want 150", len(fresh))
	}
	f := score(c, fresh, nil)
	t.Logf("fresh: %s\n%s", f, f.matrix())
	// Measured 94.0% overall, 94.7% among decided, 12.0% asked; the floors
	// hold the contract's goals where they are met and the measure otherwise.
	if got := f.overall(); got < 0.90 {
		t.Errorf("fresh right overall = %.3f, floor 0.90", got)
	}
	if got := f.amongDecided(); got < 0.93 {
		t.Errorf("fresh right among decided = %.3f, floor 0.93", got)
	}
	if got := f.askedShare(); got > 0.15 {
		t.Errorf("fresh asked = %.3f, ceiling 0.15", got)
	}
}
