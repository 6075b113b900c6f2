package wx

import (
	"bytes"
	"encoding/xml"
	"errors"
)

// MaxDepth is the deepest element nesting accepted in a message: WeChat's
// deepest (a pic_photo_or_album event's SendPicsInfo/PicList/item/PicMd5Sum)
// is five.
const MaxDepth = 8

// Errors of the cheap scans.
var (
	ErrNoEncrypt = errors.New("body has no single Encrypt element")
	ErrTooDeep   = errors.New("XML nested deeper than WeChat sends")
)

var (
	encryptOpen  = []byte("<Encrypt>")
	encryptClose = []byte("</Encrypt>")
	cdataOpen    = []byte("<![CDATA[")
	cdataClose   = []byte("]]>")
)

// ScanEncrypt returns the Encrypt text of a safe-mode body by a byte scan,
// with no XML tree built, so that msg_signature is checked before anything
// costly is done for an unauthenticated body. The body must hold exactly
// one Encrypt element whose text (or CDATA section) is base64.
func ScanEncrypt(body []byte) (string, error) {
	if bytes.Count(body, encryptOpen) != 1 || bytes.Count(body, encryptClose) != 1 {
		return "", ErrNoEncrypt
	}
	start := bytes.Index(body, encryptOpen) + len(encryptOpen)
	end := bytes.Index(body, encryptClose)
	if end < start {
		return "", ErrNoEncrypt
	}
	// Exactly the text WeChat signed: no whitespace is trimmed (an XML
	// parser would keep it too), and base64 has none.
	v := body[start:end]
	if rest, ok := bytes.CutPrefix(v, cdataOpen); ok {
		inner, ok := bytes.CutSuffix(rest, cdataClose)
		if !ok {
			return "", ErrNoEncrypt
		}
		v = inner
	}
	if len(v) == 0 {
		return "", ErrNoEncrypt
	}
	for _, b := range v {
		if !(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=') {
			return "", ErrNoEncrypt
		}
	}
	return string(v), nil
}

// EnvelopeOf is the safe-mode body the SDK is given: only the Encrypt part,
// so that the plaintext fields a compatible-mode body also carries (which
// no signature covers) can never be read.
func EnvelopeOf(encrypt string) []byte {
	return []byte("<xml><Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>")
}

// CheckDepth streams the body's tokens (no tree) and fails with ErrTooDeep
// past max levels of nesting. Other XML errors are left to the parser that
// reads the message, which reports them.
func CheckDepth(body []byte, max int) error {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	depth := 0
	for {
		tok, err := d.RawToken()
		if err != nil { // io.EOF, or an error the message parser reports
			return nil
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			if depth > max {
				return ErrTooDeep
			}
		case xml.EndElement:
			depth--
		}
	}
}
