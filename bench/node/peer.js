// The Node peer of the load tool: the npm `wechat` middleware (node-webot)
// on Node's own http server, answering every message with a fixed text and
// storing nothing. Install once with `npm install` here (node_modules is not
// committed), then: node peer.js [port]  → POST /wechat
'use strict';
const http = require('http');
const wechat = require('wechat');

const config = {
  token: process.env.BENCH_TOKEN || 'benchtoken',
  appid: process.env.BENCH_APPID || 'wxbench0000000001',
  encodingAESKey: process.env.BENCH_AES_KEY || 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  checkSignature: true,
};
const reply = '您好，这里是社区服务号。';
const handle = wechat(config, (req, res) => res.reply(reply));

const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://localhost');
  if (u.pathname !== '/wechat') {
    res.writeHead(404);
    return res.end();
  }
  req.query = Object.fromEntries(u.searchParams);
  handle(req, res, (err) => {
    res.writeHead(err ? 400 : 404);
    res.end();
  });
});
server.keepAliveTimeout = 120000;
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log('listening 127.0.0.1:' + server.address().port);
});
