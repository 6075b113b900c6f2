package wx

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"sort"
	"strings"
)

// Signature is WeChat's request signature: SHA-1 of the sorted, concatenated parts.
func Signature(parts ...string) string {
	p := append([]string(nil), parts...)
	sort.Strings(p)
	sum := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(sum[:])
}

// ValidSignature compares in constant time.
func ValidSignature(want string, parts ...string) bool {
	got := Signature(parts...)
	return len(want) == len(got) && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// Envelope is the outer XML of a safe-mode (AES) request.
type Envelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	Encrypt    string   `xml:"Encrypt"`
}

// ParseEnvelope reads the encrypted part of a safe-mode body.
func ParseEnvelope(body []byte) (Envelope, error) {
	var e Envelope
	err := xml.Unmarshal(body, &e)
	return e, err
}
