package triage

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// segmenter cuts a text into the most probable sequence of dictionary
// words (a unigram model over word frequencies, solved right to left over
// the graph of dictionary words found at each position), the way gse's
// Cut(text, false) does on a dictionary of "word frequency" lines, without
// linking gse's 37 MB of embedded dictionaries that the classifier never
// loads. Characters that start no word stand alone; runs of single ASCII
// letters and digits are kept together.
type segmenter struct {
	freq     map[string]float64 // word → frequency
	prefix   map[string]bool    // every non-empty prefix of a word, whole runes
	logTotal float64            // log of the frequencies' sum
}

// minWordFreq drops rarer lines; a one-character word counts as 2.
const minWordFreq = 2

// load reads "word frequency" lines; the first line of a word wins.
func (s *segmenter) load(dict string) {
	s.freq, s.prefix = map[string]float64{}, map[string]bool{}
	total := 0.0
	for line := range strings.SplitSeq(dict, "\n") {
		parts := strings.Split(line, " ")
		if len(parts) < 2 {
			continue
		}
		word := asciiLower(strings.TrimSpace(parts[0]))
		f, err := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
		if err != nil || f < minWordFreq || word == "" {
			continue
		}
		if utf8.RuneCountInString(word) < 2 {
			f = 2
		}
		if _, dup := s.freq[word]; dup {
			continue
		}
		s.freq[word] = f
		total += f
		for i := range word {
			if i > 0 {
				s.prefix[word[:i]] = true
			}
		}
		s.prefix[word] = true
	}
	s.logTotal = math.Log(total)
}

// cut returns the words of text (lower-cased) in order.
func (s *segmenter) cut(text string) []string {
	runes := []rune(strings.ToLower(text))
	n := len(runes)
	// best[i] is the log probability of the best cut of runes[i:] and
	// end[i] the last rune of its first word.
	best := make([]float64, n+1)
	end := make([]int, n+1)
	for i := n - 1; i >= 0; i-- {
		found := false
		for j := i; j < n; j++ {
			w := string(runes[i : j+1])
			if !s.prefix[w] {
				break
			}
			if f := s.freq[w]; f > 0 {
				s.consider(best, end, i, j, math.Log(f), found)
				found = true
			}
		}
		if !found { // a character that starts no word: as gse, a word-prefix scores log 0
			lp := 0.0 // log 1
			if s.prefix[string(runes[i])] {
				lp = math.Inf(-1)
			}
			s.consider(best, end, i, i, lp, false)
		}
	}
	var out []string
	var run []rune // single ASCII letters and digits, kept together
	for i := 0; i < n; {
		j := end[i] + 1
		if j-i == 1 && isASCIIAlnum(runes[i]) {
			run = append(run, runes[i])
			i = j
			continue
		}
		if len(run) > 0 {
			out = append(out, string(run))
			run = run[:0]
		}
		out = append(out, string(runes[i:j]))
		i = j
	}
	if len(run) > 0 {
		out = append(out, string(run))
	}
	return out
}

// consider keeps runes[i:j+1] as the first word from i if its path scores
// higher (on a tie, the longer word).
func (s *segmenter) consider(best []float64, end []int, i, j int, logFreq float64, seen bool) {
	f := logFreq - s.logTotal + best[j+1]
	if !seen || best[i] < f || (best[i] == f && end[i] < j) {
		best[i], end[i] = f, j
	}
}

func isASCIIAlnum(r rune) bool {
	return r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
