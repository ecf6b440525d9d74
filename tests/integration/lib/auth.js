'use strict';
// Signatures the app's auth endpoint would produce (protocol-v1 §10), for test clients.
const crypto = require('node:crypto');

const hmac = (secret, s) => crypto.createHmac('sha256', secret).update(s).digest('hex');

function channelAuth(key, secret, socketId, channel, channelData) {
  const toSign = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return `${key}:${hmac(secret, toSign)}`;
}

function userAuth(key, secret, socketId, userData) {
  return `${key}:${hmac(secret, `${socketId}::user::${userData}`)}`;
}

module.exports = { channelAuth, userAuth, hmac };
