// Sign an RPM main header the way rpm 6 does (a detached binary OpenPGP
// signature, stored base64 in the OPENPGP tag), with a fresh RFC 9580 v6
// Ed25519 key from openpgp.js:
//   node sign-v6.mjs PUBKEY-OUT SIG-OUT <HEADER-BYTES
// OPENPGP_JS_DIR names the npm prefix holding openpgp.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const prefix = process.env.OPENPGP_JS_DIR;
const require = createRequire(join(prefix, 'node_modules') + '/');
const openpgp = await import(pathToFileURL(require.resolve('openpgp')).href);
const date = new Date(Number(process.env.SOURCE_DATE_EPOCH || 1700000000) * 1000);

const { privateKey, publicKey } = await openpgp.generateKey({
	type: 'curve25519', userIDs: [{ name: 'DG RPM v6', email: 'v6@rpm.test' }],
	format: 'object', date, config: { v6Keys: true },
});
const message = await openpgp.createMessage({ binary: readFileSync(0) });
const sig = await openpgp.sign({
	message, signingKeys: privateKey, detached: true, format: 'binary', date,
});
writeFileSync(process.argv[2], publicKey.armor());
writeFileSync(process.argv[3], sig);
