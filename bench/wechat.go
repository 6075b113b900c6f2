package main

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// account is the official account the messages are addressed to, as
// WeChat knows it: the server's token and EncodingAESKey.
type account struct {
	AppID, Secret, Token, AESKey string
	key                          []byte
}

func newAccount(appID, secret, token, aesKey string) (*account, error) {
	key, err := base64.StdEncoding.DecodeString(aesKey + "=")
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("EncodingAESKey: want 43 base64 characters")
	}
	return &account{AppID: appID, Secret: secret, Token: token, AESKey: aesKey, key: key}, nil
}

// sign is WeChat's signature: SHA-1 of the sorted, concatenated parts.
func sign(parts ...string) string {
	sort.Strings(parts)
	h := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(h[:])
}

// encrypt is WeChat's safe-mode encryption: AES-256-CBC (IV = the key's
// first 16 bytes) of 16 random bytes, the message length (4 bytes, big
// endian), the message and the AppID, padded PKCS#7 to 32 bytes.
func (a *account) encrypt(msg []byte) string {
	var buf bytes.Buffer
	random := make([]byte, 16)
	_, _ = rand.Read(random)
	buf.Write(random)
	_ = binary.Write(&buf, binary.BigEndian, uint32(len(msg)))
	buf.Write(msg)
	buf.WriteString(a.AppID)
	pad := 32 - buf.Len()%32
	buf.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, _ := aes.NewCipher(a.key)
	out := make([]byte, buf.Len())
	cipher.NewCBCEncrypter(block, a.key[:16]).CryptBlocks(out, buf.Bytes())
	return base64.StdEncoding.EncodeToString(out)
}

func (a *account) decrypt(b64 string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, errors.New("reply: bad ciphertext")
	}
	block, _ := aes.NewCipher(a.key)
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, a.key[:16]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || pad > len(plain) {
		return nil, errors.New("reply: bad padding")
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, errors.New("reply: too short")
	}
	n := int(binary.BigEndian.Uint32(plain[16:20]))
	if 20+n > len(plain) || string(plain[20+n:]) != a.AppID {
		return nil, errors.New("reply: wrong length or AppID")
	}
	return plain[20 : 20+n], nil
}

// request is one message as WeChat posts it in safe mode: the query
// string and the XML body.
func (a *account) request(openID, content string, msgID int64) (query, body string) {
	now := strconv.FormatInt(time.Now().Unix(), 10)
	inner := fmt.Sprintf("<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%s</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>",
		openID, now, content, msgID)
	enc := a.encrypt([]byte(inner))
	nonce := strconv.FormatUint(uint64(msgID)*2654435761%1e10, 10)
	q := url.Values{
		"signature": {sign(a.Token, now, nonce)}, "timestamp": {now}, "nonce": {nonce}, "openid": {openID},
		"encrypt_type": {"aes"}, "msg_signature": {sign(a.Token, now, nonce, enc)},
	}
	return q.Encode(), "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
}

// reply checks an encrypted reply's signature and returns its text.
func (a *account) reply(body []byte) (string, error) {
	var env struct {
		Encrypt, MsgSignature, TimeStamp, Nonce string
	}
	if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
		return "", fmt.Errorf("reply: not an encrypted message: %.80q", body)
	}
	if sign(a.Token, env.TimeStamp, env.Nonce, env.Encrypt) != env.MsgSignature {
		return "", errors.New("reply: bad MsgSignature")
	}
	plain, err := a.decrypt(env.Encrypt)
	if err != nil {
		return "", err
	}
	var msg struct{ MsgType, Content string }
	if err := xml.Unmarshal(plain, &msg); err != nil {
		return "", fmt.Errorf("reply: %w", err)
	}
	if msg.MsgType != "text" || msg.Content == "" {
		return "", fmt.Errorf("reply: %s message with no text", msg.MsgType)
	}
	return msg.Content, nil
}
