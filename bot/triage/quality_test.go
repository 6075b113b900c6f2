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
		p := strings.Split(sc.Text(), "\t")
		if first && p[0] == "id" {
			continue // header
		}
		if len(p) != 5 {
			// The line number only: held-out lines must never be printed.
			t.Fatalf("%s: line %d has %d fields, want 5", path, len(out)+1, len(p))
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
	// rightAskedNarrow: asked with the true kind among at most two choices
	// (a three-way question carries no information).
	rightAskedNarrow int
	levelRight       int // decided lines whose level is right too
	noTopic          int // decided lines without a topic
	// nothing: asked all three kinds (nothing to go on, the catalog has no
	// word or cue for the text: its best kind scores under minScore).
	nothing int
	// confusion[true kind][decided kind, or "ask"]
	confusion map[models.Kind]map[string]int
}

func (f figures) overall() float64      { return ratio(f.rightDecided+f.rightAsked, f.n) }
func (f figures) amongDecided() float64 { return ratio(f.rightDecided, f.decided) }
func (f figures) askedShare() float64   { return ratio(f.asked, f.n) }

// informative: decided right, or asked with the true kind among at most two choices.
func (f figures) informative() float64 { return ratio(f.rightDecided+f.rightAskedNarrow, f.n) }
func ratio(a, b int) float64           { return float64(a) / float64(max(b, 1)) }
func (f figures) String() string {
	return fmt.Sprintf("n=%d right overall %.1f%% (%d), right among decided %.1f%% (%d/%d), asked %.1f%% (%d, %d right), informative %.1f%% (%d), level right among decided-right %d, decided without topic %d",
		f.n, 100*f.overall(), f.rightDecided+f.rightAsked, 100*f.amongDecided(), f.rightDecided, f.decided,
		100*f.askedShare(), f.asked, f.rightAsked, 100*f.informative(), f.rightDecided+f.rightAskedNarrow, f.levelRight, f.noTopic)
}

func score(c *Classifier, lines []devLine, wrong func(devLine, Decision)) figures {
	return scoreWith(c.Classify, lines, wrong)
}

// scoreWith is score with any classifying function: a variant that lives
// only in a cross-validation test (round 18).
func scoreWith(classify func(string) Decision, lines []devLine, wrong func(devLine, Decision)) figures {
	f := figures{confusion: map[models.Kind]map[string]int{}}
	for _, l := range lines {
		d := classify(l.text)
		f.n++
		if f.confusion[l.kind] == nil {
			f.confusion[l.kind] = map[string]int{}
		}
		if d.Question != "" {
			f.asked++
			if len(d.Choices) == 3 {
				f.nothing++
			}
			f.confusion[l.kind]["ask"]++
			if slices.Contains(d.Choices, l.kind) {
				f.rightAsked++
				if len(d.Choices) <= 2 {
					f.rightAskedNarrow++
				}
				continue
			}
		} else {
			f.decided++
			if d.Topic == "" {
				f.noTopic++
			}
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

// freshHalf reports whether a fresh.tsv id is odd (f001, f003, …). The halves
// were once calibration (odd) and held-out (even); since fresh2.tsv arrived
// all of fresh.tsv is calibration data, and the halves are still reported so
// the figures compare with the earlier rounds (docs/classification.md).
func freshHalf(id string) (odd bool) {
	n, err := strconv.Atoi(strings.TrimLeft(id, "f"))
	return err == nil && n%2 == 1
}

// readFresh returns all 150 lines of fresh.tsv.
func readFresh(t testing.TB) []devLine {
	t.Helper()
	all := readLabelled(t, "testdata/fresh.tsv")
	if len(all) != 150 {
		t.Fatalf("fresh.tsv has %d lines, want 150", len(all))
	}
	return all
}

// showWrong returns a logger for wrong lines when TRIAGE_SHOW is set. Only
// studied data (dev.tsv, fresh.tsv) may use it; never fresh2.tsv.
func showWrong(t *testing.T) func(devLine, Decision) {
	if os.Getenv("TRIAGE_SHOW") == "" {
		return nil
	}
	return func(l devLine, d Decision) {
		t.Logf("WRONG %s %s/%s %q → %s %s %v %.2f", l.id, l.kind, l.topic, l.text, d.Kind, d.Topic, d.Choices, d.Confidence)
	}
}

// TestDevQuality reports the figures on all of dev.tsv, which was read in
// full while the catalog was written: it shows fit, not generalisation. It
// only fails far below the goals; TRIAGE_SHOW=1 lists its wrong lines.
func TestDevQuality(t *testing.T) {
	c := testClassifier(t)
	dev := readDev(t)
	if len(dev) != 160 {
		t.Fatalf("dev.tsv has %d lines, want 160", len(dev))
	}
	f := score(c, dev, showWrong(t))
	t.Logf("dev (seen): %s\n%s", f, f.matrix())
	if f.overall() < 0.97 { // measured 100%: a drop means a regression
		t.Errorf("dev right overall %.3f < 0.97", f.overall())
	}
}

// TestFreshQuality reports the figures on all of fresh.tsv: written and
// labelled from domain.md by someone who never saw the classifier, and now
// studied as calibration data (its odd half since the second round, all of it
// since fresh2.tsv arrived). TRIAGE_SHOW=1 lists its wrong lines.
func TestFreshQuality(t *testing.T) {
	c := testClassifier(t)
	all := readFresh(t)
	var odd, even []devLine
	for _, l := range all {
		if freshHalf(l.id) {
			odd = append(odd, l)
		} else {
			even = append(even, l)
		}
	}
	f := score(c, all, showWrong(t))
	t.Logf("fresh (calibration, all): %s\n%s", f, f.matrix())
	for _, h := range []struct {
		name  string
		lines []devLine
	}{{"odd ids", odd}, {"even ids", even}} {
		hf := score(c, h.lines, nil)
		t.Logf("fresh %s: %s\n%s", h.name, hf, hf.matrix())
	}
	if f.overall() < 0.97 {
		t.Errorf("fresh right overall %.3f < 0.97", f.overall())
	}
	if f.amongDecided() < 0.97 {
		t.Errorf("fresh right among decided %.3f < 0.97", f.amongDecided())
	}
	// The words lifted from dev.tsv are gone and new words come from public
	// sources only, so fresh.tsv asks more than it did (docs/classification.md).
	if f.askedShare() > 0.13 { // round 5: 10.7%
		t.Errorf("fresh asked %.3f > 0.13", f.askedShare())
	}
	if f.informative() < 0.95 {
		t.Errorf("fresh informative %.3f < 0.95", f.informative())
	}
}

// heldOutEnv runs the held-out figures (fresh2.tsv) only when set:
// ordinary runs must give no feedback from them while the catalog changes.
const heldOutEnv = "GONGZHI_HELDOUT"

// TestFresh2Quality scores testdata/fresh2.tsv (g001–g150) in aggregate, and
// only when GONGZHI_HELDOUT=1. fresh2 is no longer a held-out set: it was
// written from domain.md's own example cues, so its figure is optimistic
// (docs/classification.md). It stays out of the default run so that catalog
// edits get no feedback from it, and it never prints a line.
func TestFresh2Quality(t *testing.T) {
	if os.Getenv(heldOutEnv) != "1" {
		t.Skipf("set %s=1 to score fresh2.tsv", heldOutEnv)
	}
	c := testClassifier(t)
	lines := readLabelled(t, "testdata/fresh2.tsv")
	if len(lines) != 150 {
		t.Fatalf("fresh2.tsv has %d lines, want 150", len(lines))
	}
	f := score(c, lines, nil) // never print lines
	t.Logf("fresh2: %s\n%s", f, f.matrix())
}

// readOddLetters returns the letters of testdata/letters.tsv whose id is
// odd, labelled major: each was labelled by hand from its title and text, and
// every one is a matter for a government department (a city's message board).
// Letters with an even id are held out for the lead's measurement: they are
// skipped unread.
func readOddLetters(t testing.TB) []devLine {
	t.Helper()
	f, err := os.Open("testdata/letters.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var out []devLine
	for n := 1; sc.Scan(); n++ {
		id, rest, ok := strings.Cut(sc.Text(), "\t")
		num, err := strconv.Atoi(id)
		if n == 1 && id == "id" {
			continue
		}
		if !ok || err != nil {
			t.Fatalf("letters.tsv: line %d has no numeric id", n)
		}
		if num%2 == 0 {
			continue
		}
		title, text, ok := strings.Cut(rest, "\t")
		if !ok {
			t.Fatalf("letters.tsv: line %d has no text", n)
		}
		// The letter's title is kept as its topic: a source of words, not
		// a label.
		out = append(out, devLine{id: id, kind: models.KindMajor, level: models.LevelStreet, topic: title, text: text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOddLettersQuality reports the figures on the 159 odd-id letters (real
// letters to a city government, all major). TRIAGE_SHOW=1 lists wrong ones.
func TestOddLettersQuality(t *testing.T) {
	c := testClassifier(t)
	lines := readOddLetters(t)
	if len(lines) != 159 {
		t.Fatalf("%d odd letters, want 159", len(lines))
	}
	f := score(c, lines, showWrong(t))
	t.Logf("odd letters: %s\n%s", f, f.matrix())
	if f.amongDecided() < 0.96 { // round 5: 96.6%
		t.Errorf("odd letters right among decided %.3f < 0.96", f.amongDecided())
	}
}

// TestAskCalibration shows how the asking constants trade questions for right
// decisions on the calibration data (dev.tsv and fresh.tsv; never fresh2.tsv),
// which is how askMargin and minPlaceOnly were chosen: the classifier's own
// constants must keep fresh.tsv's asked share in the 5–15% band while no
// decided line is wrong.
func TestAskCalibration(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	dev, fresh := readDev(t), readFresh(t)
	settings := []struct {
		name             string
		margin, minPlace float64
		chosen           bool
	}{
		{"margin 1.0", 1.0, 0, false},
		{"margin 1.5 (chosen)", askMargin, minPlaceOnly, true},
		{"margin 1.5, place-only 2.0 (previous)", 1.5, 2.0, false},
		{"margin 2.0", 2.0, 0, false},
		{"margin 2.5", 2.5, 0, false},
	}
	for _, s := range settings {
		t.Run(s.name, func(t *testing.T) {
			c, err := New(cat)
			if err != nil {
				t.Fatal(err)
			}
			c.askMargin, c.minPlace = s.margin, s.minPlace
			fd, ff := score(c, dev, nil), score(c, fresh, nil)
			t.Logf("dev: %s", fd)
			t.Logf("fresh: %s", ff)
			if !s.chosen {
				return
			}
			// Round 12: the floor 5 → 3%. The back-off, trained on
			// fresh.tsv itself, settles two more of its margin questions
			// (f011, f125; both right) once the model's training text grew;
			// the margin is unchanged and asking less is no regression.
			// Round 27: 3 → 1%. With modelSettle 0.9 (not 0.95) the back-off
			// settles four more of fresh.tsv's two-choice questions (f006,
			// f011, f038, f065; all right): 7 asked → 3, 147 of 147 decided
			// right; the margin is unchanged.
			if got := ff.askedShare(); got < 0.01 || got > 0.15 {
				t.Errorf("fresh asked %.3f, want 0.01–0.15", got)
			}
			if got := ff.amongDecided(); got < 0.97 {
				t.Errorf("fresh right among decided %.3f < 0.97", got)
			}
		})
	}
}
