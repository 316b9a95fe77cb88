// A local OpenID Connect issuer for tests: serves a discovery document and a
// JWKS over http on 127.0.0.1 (which the server accepts on loopback only),
// and signs access tokens with node's crypto, RS256 or ES256. Keys can be
// added (rotation) and the issuer counts how often its key set is read.
import { createHash, createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import http from 'node:http';

function b64url(data) {
  return Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64url');
}

export class TestIssuer {
  constructor() {
    this.keys = [];        // { kid, alg, privateKey, publicKey, published }
    this.jwksReads = 0;
  }

  /** Starts listening; resolves with the issuer URL. */
  async start() {
    this.server = http.createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        return this.json(res, {
          issuer: this.url,
          jwks_uri: `${this.url}/jwks`,
          authorization_endpoint: `${this.url}/authorize`,
          token_endpoint: `${this.url}/token`,
          id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        });
      }
      if (req.url === '/jwks') {
        this.jwksReads += 1;
        return this.json(res, { keys: this.keys.filter((k) => k.published).map((k) => k.jwk) });
      }
      res.writeHead(404).end();
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    return this.url;
  }

  json(res, body) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  /** A new key ('RS256' or 'ES256'); published in the JWKS unless { published: false }. */
  addKey(alg, { published = true } = {}) {
    const pair = alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const kid = createHash('sha256').update(JSON.stringify(jwk)).digest('base64url').slice(0, 16);
    const key = { kid, alg, privateKey: pair.privateKey, publicKey: pair.publicKey, published,
      jwk: { ...jwk, kid, alg, use: 'sig' } };
    this.keys.push(key);
    return key;
  }

  /** A signed token: claims merged over iss, sub, aud, iat, exp (an hour). */
  token(key, claims = {}, header = {}) {
    const now = Math.floor(Date.now() / 1000);
    const body = { iss: this.url, sub: 'artist-1', aud: 'blender-bus', iat: now, exp: now + 3600, ...claims };
    const head = { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header };
    const input = `${b64url(head)}.${b64url(body)}`;
    const signature = key.alg === 'RS256'
      ? cryptoSign('sha256', Buffer.from(input), key.privateKey)
      : cryptoSign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }

  /** The classic confusion: HS256 with the public key's PEM as the HMAC secret. */
  hmacWithPublicKey(key, claims = {}) {
    const now = Math.floor(Date.now() / 1000);
    const head = { alg: 'HS256', typ: 'JWT', kid: key.kid };
    const body = { iss: this.url, sub: 'artist-1', aud: 'blender-bus', iat: now, exp: now + 3600, ...claims };
    const input = `${b64url(head)}.${b64url(body)}`;
    const pem = key.publicKey.export({ format: 'pem', type: 'spki' });
    return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
  }

  /** An unsigned token (alg none). */
  unsigned(claims = {}) {
    const now = Math.floor(Date.now() / 1000);
    const body = { iss: this.url, sub: 'artist-1', aud: 'blender-bus', iat: now, exp: now + 3600, ...claims };
    return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(body)}.`;
  }

  async stop() {
    await new Promise((resolve) => this.server.close(resolve));
  }
}
