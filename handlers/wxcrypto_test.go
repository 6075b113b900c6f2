package handlers_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// This file is the tests' own implementation of WeChat's message crypto,
// written from the published scheme (not the SDK's code), checked against
// the official vectors, and the bridge to the Node.js reference (npm
// wechat-crypto) in testdata/wxcrypto.

// refSign is WeChat's signature: SHA-1 of the sorted, concatenated parts.
func refSign(parts ...string) string {
	p := append([]string(nil), parts...)
	sort.Strings(p)
	sum := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(sum[:])
}

func refKey(encodingAESKey string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("EncodingAESKey %q: want 43 base64 characters for 32 bytes", encodingAESKey)
	}
	return k, nil
}

// refEncrypt is AES-256-CBC(key, iv=key[:16]) of random16|len32be|msg|appid,
// PKCS#7-padded to 32 bytes. A nil random draws one.
func refEncrypt(encodingAESKey, appID string, random, msg []byte) (string, error) {
	key, err := refKey(encodingAESKey)
	if err != nil {
		return "", err
	}
	if random == nil {
		random = make([]byte, 16)
		_, _ = rand.Read(random)
	}
	var plain bytes.Buffer
	plain.Write(random)
	_ = binary.Write(&plain, binary.BigEndian, uint32(len(msg)))
	plain.Write(msg)
	plain.WriteString(appID)
	pad := 32 - plain.Len()%32
	plain.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	out := make([]byte, plain.Len())
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, plain.Bytes())
	return base64.StdEncoding.EncodeToString(out), nil
}

// refDecrypt reverses refEncrypt and returns the message and the AppID it carries.
func refDecrypt(encodingAESKey, enc string) (msg []byte, appID string, err error) {
	key, err := refKey(encodingAESKey)
	if err != nil {
		return nil, "", err
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, "", fmt.Errorf("base64: %w", err)
	}
	if len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, "", errors.New("ciphertext is not whole AES blocks")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, "", err
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || pad > len(plain) {
		return nil, "", fmt.Errorf("bad padding %d", pad)
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, "", errors.New("plaintext too short")
	}
	n := int(binary.BigEndian.Uint32(plain[16:20]))
	if n > len(plain)-20 {
		return nil, "", fmt.Errorf("message length %d exceeds the plaintext", n)
	}
	return plain[20 : 20+n], string(plain[20+n:]), nil
}

// officialVectors is testdata/wechat/vectors.json.
type officialVectors struct {
	Token, EncodingAESKey, AppID              string
	Timestamp, Nonce, Signature, MsgSignature string
	PostBody, DecryptedPlaintext              string
}

func loadVectors(t testing.TB) officialVectors {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "wechat", "vectors.json"))
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var v struct {
		Token          string `json:"token"`
		EncodingAESKey string `json:"encodingAESKey"`
		AppID          string `json:"appid"`
		Timestamp      string `json:"timestamp"`
		Nonce          string `json:"nonce"`
		Signature      string `json:"signature"`
		MsgSignature   string `json:"msg_signature"`
		PostBody       string `json:"post_body"`
		Decrypted      string `json:"decrypted_plaintext"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("parse vectors: %v", err)
	}
	return officialVectors{v.Token, v.EncodingAESKey, v.AppID, v.Timestamp, v.Nonce, v.Signature, v.MsgSignature, v.PostBody, v.Decrypted}
}

var encryptRe = regexp.MustCompile(`<Encrypt><!\[CDATA\[([^\]]*)\]\]></Encrypt>`)

// TestReferenceCrypto checks the tests' own crypto against the published
// vectors, so that what the webhook tests build is what WeChat sends.
func TestReferenceCrypto(t *testing.T) {
	v := loadVectors(t)
	enc := encryptRe.FindStringSubmatch(v.PostBody)[1]
	t.Run("official sample signatures", func(t *testing.T) {
		if got := refSign(v.Token, v.Timestamp, v.Nonce); got != v.Signature {
			t.Errorf("signature = %s, want %s", got, v.Signature)
		}
		if got := refSign(v.Token, v.Timestamp, v.Nonce, enc); got != v.MsgSignature {
			t.Errorf("msg_signature = %s, want %s", got, v.MsgSignature)
		}
	})
	t.Run("official sample decrypts", func(t *testing.T) {
		msg, appID, err := refDecrypt(v.EncodingAESKey, enc)
		if err != nil {
			t.Fatal(err)
		}
		if string(msg) != v.DecryptedPlaintext || appID != v.AppID {
			t.Errorf("decrypted %q for %q, want %q for %q", msg, appID, v.DecryptedPlaintext, v.AppID)
		}
	})
	t.Run("wechatpy deterministic encryption is byte-exact", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join("testdata", "wechat", "more-vectors.json"))
		if err != nil {
			t.Fatal(err)
		}
		var mv struct {
			W struct {
				Key   string `json:"encodingAESKey"`
				Corp  string `json:"corpid"`
				Token string `json:"token"`
				D     struct {
					Random    string `json:"random16"`
					Plaintext string `json:"plaintext"`
					Encrypt   string `json:"Encrypt"`
				} `json:"deterministic_encrypt"`
			} `json:"wechatpy_test_vectors"`
		}
		if err := json.Unmarshal(raw, &mv); err != nil {
			t.Fatal(err)
		}
		w := mv.W
		if w.D.Encrypt == "" {
			t.Fatal("more-vectors.json has no wechatpy deterministic_encrypt vector")
		}
		got, err := refEncrypt(w.Key, w.Corp, []byte(w.D.Random), []byte(w.D.Plaintext))
		if err != nil {
			t.Fatal(err)
		}
		if got != w.D.Encrypt {
			t.Errorf("Encrypt =\n%s\nwant\n%s", got, w.D.Encrypt)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		enc, err := refEncrypt(v.EncodingAESKey, v.AppID, nil, []byte("<xml>往返</xml>"))
		if err != nil {
			t.Fatal(err)
		}
		msg, appID, err := refDecrypt(v.EncodingAESKey, enc)
		if err != nil || string(msg) != "<xml>往返</xml>" || appID != v.AppID {
			t.Errorf("round trip = %q, %q, %v", msg, appID, err)
		}
	})
	t.Run("node reference agrees on the official sample", func(t *testing.T) {
		out := nodeCrypt(t, "decrypt", map[string]string{"token": v.Token, "encodingAESKey": v.EncodingAESKey,
			"appid": v.AppID, "timestamp": v.Timestamp, "nonce": v.Nonce, "encrypt": enc, "msg_signature": v.MsgSignature})
		if out.Message != v.DecryptedPlaintext || out.AppID != v.AppID || !out.SignatureOK {
			t.Errorf("node decrypt = %+v", out)
		}
	})
}

var (
	npmOnce sync.Once
	npmErr  error
)

// installWechatCrypto runs `npm ci` from the committed lock file once per
// test process when node_modules is missing, so a fresh clone with Node.js
// needs no manual step.
func installWechatCrypto(dir string) error {
	npmOnce.Do(func() {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "wechat-crypto")); err == nil {
			return
		}
		npm, err := exec.LookPath("npm")
		if err != nil {
			npmErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--prefix", dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			npmErr = fmt.Errorf("npm ci: %v: %s", err, bytes.TrimSpace(out))
		}
	})
	return npmErr
}

// nodeResult is crypt.js's answer.
type nodeResult struct {
	Encrypt      string `json:"encrypt"`
	MsgSignature string `json:"msg_signature"`
	Message      string `json:"message"`
	AppID        string `json:"appid"`
	SignatureOK  bool   `json:"signature_ok"`
}

// nodeCrypt runs testdata/wxcrypto/crypt.js. It skips only when node is
// missing outside CI; in CI, or with node present, a missing npm install
// is a failure.
func nodeCrypt(t testing.TB, op string, req map[string]string) nodeResult {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("node not installed: the Node.js crypto cross-check needs it (CI installs it)")
		}
		t.Fatal("node not installed: CI must run the Node.js crypto cross-check")
	}
	dir := filepath.Join("testdata", "wxcrypto")
	if err := installWechatCrypto(dir); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("wechat-crypto could not be installed (run 'npm ci --prefix handlers/testdata/wxcrypto'): %v", err)
		}
		t.Fatalf("wechat-crypto is not installed and npm ci failed: %v", err)
	}
	in, _ := json.Marshal(req)
	cmd := exec.Command(node, "--no-deprecation", "crypt.js", op)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node crypt.js %s: %v\n%s", op, err, stderr.String())
	}
	var res nodeResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node crypt.js %s: %v: %s", op, err, out)
	}
	return res
}
