package triage

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gongzhi/gongzhi/models"
)

// maxLineBytes bounds one input line of RunClassify; a formal letter pasted on
// one line is long, but not this long.
const maxLineBytes = 1 << 20

// classifyJSON is one output line of `gongzhi classify --json` (contract.md).
type classifyJSON struct {
	Kind       models.Kind   `json:"kind"`
	Level      models.Level  `json:"level"`
	Topic      string        `json:"topic"`
	Confidence float64       `json:"confidence"`
	Question   string        `json:"question"`
	Choices    []models.Kind `json:"choices"` // never null: [] when none
}

// RunClassify is the logic of `gongzhi classify [--json]`: it classifies each
// line of in and writes one line per input line to out. Blank input lines
// still get an output line, so that output line N always answers input line N.
//
// Without JSON a line is tab separated: kind, level, confidence, topic (or -),
// then "ask:" with the choices joined by "|" and the question on one line when
// the bot would ask.
func RunClassify(in io.Reader, out io.Writer, asJSON bool, c *Classifier) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), maxLineBytes)
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for line := 1; sc.Scan(); line++ {
		d := c.Classify(strings.TrimSuffix(sc.Text(), "\r"))
		if asJSON {
			v := classifyJSON{Kind: d.Kind, Level: d.Level, Topic: d.Topic,
				Confidence: round2(d.Confidence), Question: d.Question, Choices: d.Choices}
			if v.Choices == nil {
				v.Choices = []models.Kind{}
			}
			if err := enc.Encode(v); err != nil {
				return fmt.Errorf("classify: line %d: %w", line, err)
			}
			continue
		}
		topic := d.Topic
		if topic == "" {
			topic = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%.2f\t%s", d.Kind, d.Level, d.Confidence, topic)
		if d.Question != "" {
			choices := make([]string, len(d.Choices))
			for i, k := range d.Choices {
				choices[i] = string(k)
			}
			fmt.Fprintf(w, "\task:%s\t%s", strings.Join(choices, "|"), strings.ReplaceAll(d.Question, "\n", " "))
		}
		if err := w.WriteByte('\n'); err != nil {
			return fmt.Errorf("classify: line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("classify: reading input: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("classify: writing output: %w", err)
	}
	return nil
}

// round2 keeps the JSON short and stable: two decimals are all an operator reads.
func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
