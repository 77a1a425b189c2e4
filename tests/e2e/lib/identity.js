'use strict';
// The app's own identity provider: an RSA key pair registered with relayer
// under a key id, and RS256 identity tokens ("layer-eit;v=1") signed with it.

const crypto = require('node:crypto');

function base64url(input) {
  return Buffer.from(input).toString('base64')
    .replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

class IdentityProvider {
  constructor() {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' });
    this.privateKey = privateKey;
    this.providerId = `layer:///providers/${crypto.randomUUID()}`;
    this.keyId = `layer:///keys/${crypto.randomUUID()}`;
  }

  // Signs an identity token for `nonce`. `profile` may hold display_name,
  // avatar_url, first_name, last_name; `overrides` replaces any claim or header field.
  sign({ userId, nonce, profile = {}, claims = {}, header = {}, key = this.privateKey }) {
    const now = Math.floor(Date.now() / 1000);
    const head = { typ: 'JWT', alg: 'RS256', cty: 'layer-eit;v=1', kid: this.keyId, ...header };
    const body = {
      iss: this.providerId,
      prn: userId,
      iat: now,
      exp: now + 600,
      nce: nonce,
      ...profile,
      ...claims,
    };
    const signingInput = `${base64url(JSON.stringify(head))}.${base64url(JSON.stringify(body))}`;
    const signature = crypto.sign('sha256', Buffer.from(signingInput), key);
    return `${signingInput}.${base64url(signature)}`;
  }
}

module.exports = { IdentityProvider };
