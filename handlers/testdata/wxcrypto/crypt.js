#!/usr/bin/env node
// Independent reference for WeChat's message encryption (npm wechat-crypto),
// used by the Go tests to encrypt requests as WeChat does and to check replies.
//
//   node crypt.js encrypt  < {"token","encodingAESKey","appid","timestamp","nonce","message"}
//        → {"encrypt","msg_signature"}
//   node crypt.js decrypt  < {"token","encodingAESKey","appid","timestamp","nonce","encrypt","msg_signature"}
//        → {"message","appid","signature_ok"}
'use strict';
const WXBizMsgCrypt = require('wechat-crypto');

const op = process.argv[2];
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  const c = new WXBizMsgCrypt(req.token, req.encodingAESKey, req.appid);
  let out;
  if (op === 'encrypt') {
    const encrypt = c.encrypt(req.message);
    out = { encrypt, msg_signature: c.getSignature(req.timestamp, req.nonce, encrypt) };
  } else if (op === 'decrypt') {
    const want = c.getSignature(req.timestamp, req.nonce, req.encrypt);
    const d = c.decrypt(req.encrypt);
    out = { message: d.message, appid: d.id, signature_ok: want === req.msg_signature };
  } else {
    process.stderr.write('usage: crypt.js encrypt|decrypt < request.json\n');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(out));
});
