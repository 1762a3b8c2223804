// OpenPGP fixtures made with openpgp.js (RFC 9580 v6 keys, and a v4 key with
// the native Ed25519 algorithm), and openpgp.js as a verifying peer.
//
//   node gen-v6.mjs gen OUTDIR      write OUTDIR/v6/*, append to OUTDIR/manifest.tsv
//   node gen-v6.mjs verify <CASES   one line per case on stdin:
//       CASE \t KIND \t SIG \t DATA \t CERTS(space-separated) [\t BODY-OUT]
//     prints CASE \t good|bad \t ENTRIES \t ERROR-OR-DASH, ENTRIES being
//     "TIMESTAMP SIGNING-FPR PRIMARY-FPR mode:binary|text" joined by ";" (SOP
//     VERIFICATIONS lines); for inline/cleartext, BODY-OUT receives the
//     message body.
//
// openpgp.js itself is found through OPENPGP_JS_DIR (an npm --prefix dir);
// pgp_diff.sh installs it there at test time. Time stamps come from
// SOURCE_DATE_EPOCH; key material and signature salts are random.
import { readFileSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const prefix = process.env.OPENPGP_JS_DIR;
if (!prefix) {
	console.error('gen-v6.mjs: set OPENPGP_JS_DIR to the npm prefix holding openpgp');
	process.exit(2);
}
const require = createRequire(join(prefix, 'node_modules') + '/');
const openpgp = await import(pathToFileURL(require.resolve('openpgp')).href);
const { enums } = openpgp;

const epoch = Number(process.env.SOURCE_DATE_EPOCH || 1700000000);
const at = (s) => new Date((epoch + s) * 1000);
const T0 = at(0), T1 = at(3600);

function upper(fpr) { return fpr.toUpperCase(); }
function iso(d) { return d.toISOString().replace(/\.\d{3}Z$/, 'Z'); }

async function gen(out) {
	const dir = join(out, 'v6');
	mkdirSync(dir, { recursive: true });
	const manifest = join(out, 'manifest.tsv');
	// add(case, kind, sig, data, certs, intent, note): see gen-fixtures.sh
	const add = (c, kind, sig, data, certs, intent, note = '-') =>
		appendFileSync(manifest, [`v6/${c}`, kind, sig, data, certs, intent, note].join('\t') + '\n');
	const put = (name, bytes) => { writeFileSync(join(dir, name), bytes); return `v6/${name}`; };

	// Same shape of data as gen-gpg.sh: trailing blanks, dash-led and
	// "From " lines, UTF-8, no final newline.
	const text = 'digestguard OpenPGP fixture data\n' +
		'line with trailing blanks   \n' +
		'- a line that starts with a dash\n' +
		'From the start of a line\n' +
		'tab\tand utf-8: \u00e9\u20ac\n' +
		'last line without newline';
	const data = new TextEncoder().encode(text);
	const dataPath = put('data.txt', data);
	const tampered = data.slice(); tampered[5] = 0x58;
	const tamperedPath = put('data-tampered.txt', tampered);
	const bin = new Uint8Array(65536 + 8); bin.fill(0x41);
	bin.set([0, 1, 2, 0xff, 13, 10, 13, 10], 65536);
	const binPath = put('data.bin', bin);

	const keys = {};
	async function key(name, opts, date = T0) {
		const { privateKey, publicKey } = await openpgp.generateKey({
			userIDs: [{ name, email: `${name}@fixtures.digestguard.test` }],
			date, format: 'object', config: { v6Keys: true }, ...opts,
		});
		keys[name] = privateKey;
		put(`${name}.cert.asc`, publicKey.armor());
		put(`${name}.cert.pgp`, publicKey.write());
		return privateKey;
	}
	const cert = (name, bin = false) => `v6/${name}.cert.${bin ? 'pgp' : 'asc'}`;
	async function detached(k, bytes, { armored = false, textMode = false, date = T1 } = {}) {
		const message = textMode
			? await openpgp.createMessage({ text: new TextDecoder().decode(bytes) })
			: await openpgp.createMessage({ binary: bytes });
		return openpgp.sign({ message, signingKeys: k, detached: true,
			format: armored ? 'armored' : 'binary', date });
	}

	// --- one key per algorithm, every kind of signature ------------------
	const algos = {
		ed25519: { type: 'curve25519' },
		ed448: { type: 'curve448' },
		rsa3072: { type: 'rsa', rsaBits: 3072 },
	};
	let v6Sig25519;
	for (const [name, opts] of Object.entries(algos)) {
		const k = await key(name, opts);
		add(`${name}/detached-binary`, 'detached', put(`${name}.bin.sig`, await detached(k, bin)),
			binPath, cert(name, true), 'good');
		add(`${name}/detached`, 'detached', put(`${name}.sig`, await detached(k, data)),
			dataPath, cert(name), 'good');
		if (name === 'ed25519')
			v6Sig25519 = `v6/${name}.sig`;
		add(`${name}/detached-armored`, 'detached',
			put(`${name}.sig.asc`, await detached(k, data, { armored: true })),
			dataPath, cert(name), 'good');
		add(`${name}/detached-textmode`, 'detached',
			put(`${name}.text.sig`, await detached(k, data, { textMode: true })),
			dataPath, cert(name), 'good');
		const clear = await openpgp.sign({
			message: await openpgp.createCleartextMessage({ text }), signingKeys: k, date: T1 });
		add(`${name}/cleartext`, 'cleartext', put(`${name}.clear.asc`, clear), '-', cert(name), 'good');
		const inl = await openpgp.createMessage({ binary: data });
		add(`${name}/inline`, 'inline', put(`${name}.inline.pgp`,
			await openpgp.sign({ message: inl, signingKeys: k, format: 'binary', date: T1 })),
			'-', cert(name, true), 'good');
		add(`${name}/inline-armored`, 'inline', put(`${name}.inline.asc`,
			await openpgp.sign({ message: inl, signingKeys: k, date: T1 })),
			'-', cert(name), 'good');
		const inlText = await openpgp.createMessage({ text });
		add(`${name}/inline-textmode`, 'inline', put(`${name}.inline-text.asc`,
			await openpgp.sign({ message: inlText, signingKeys: k, date: T1 })),
			'-', cert(name), 'good');
	}

	// v4 key with the RFC 9580 native Ed25519 algorithm (27)
	const v4n = await key('v4-ed25519-native', { type: 'curve25519', config: { v6Keys: false } });
	add('v4-ed25519-native/detached', 'detached', put('v4-ed25519-native.sig', await detached(v4n, data)),
		dataPath, cert('v4-ed25519-native'), 'good');

	// --- wrong key, tampered data ----------------------------------------
	add('wrong-key/detached', 'detached', 'v6/ed25519.sig', dataPath, cert('ed448'), 'bad');
	add('wrong-key/cleartext', 'cleartext', 'v6/ed448.clear.asc', '-', cert('rsa3072'), 'bad');
	add('tampered/detached', 'detached', 'v6/ed448.sig', tamperedPath, cert('ed448'), 'bad');
	add('tampered/detached-textmode', 'detached', 'v6/rsa3072.text.sig', tamperedPath, cert('rsa3072'), 'bad');
	const clear = readFileSync(join(dir, 'ed25519.clear.asc'), 'utf8');
	add('tampered/cleartext', 'cleartext',
		put('tampered.clear.asc', clear.replace('fixture data', 'fixture dada')), '-', cert('ed25519'), 'bad');

	// --- expired key: one day of validity, signature inside it -----------
	const ek = await key('expkey', { type: 'curve25519', keyExpirationTime: 86400 });
	add('expired-key/detached', 'detached', put('expkey.sig', await detached(ek, data)),
		dataPath, cert('expkey'), 'policy', 'key expired after the signature was made');

	// A detached binary signature made as a packet, for what sign() has no
	// option for: SHA-256 whatever the key, and @set's extra fields.
	async function packetSig(k, set = {}) {
		const lit = new openpgp.LiteralDataPacket();
		lit.setBytes(data, enums.literal.binary);
		const sp = new openpgp.SignaturePacket();
		sp.signatureType = enums.signature.binary;
		sp.publicKeyAlgorithm = k.keyPacket.algorithm;
		sp.hashAlgorithm = enums.hash.sha256;
		Object.assign(sp, set);
		await sp.sign(k.keyPacket, lit, T1, true, openpgp.config);
		const pl = new openpgp.PacketList();
		pl.push(sp);
		return pl.write();
	}

	// --- expired signature: one day of validity ---------------------------
	add('expired-sig/detached', 'detached',
		put('expsig.sig', await packetSig(keys.ed25519,
			{ signatureExpirationTime: 86400, signatureNeverExpires: false })),
		dataPath, cert('ed25519'), 'bad');

	// --- ECDSA P-384 signature over SHA-256: RFC 9580 §5.2.3.2 wants a hash
	// at least the curve's size (sign() would pick SHA-384) ----------------
	const p384 = await key('p384-v4', { type: 'ecc', curve: 'nistP384', config: { v6Keys: false } });
	add('ecdsa-short-hash/p384-sha256', 'detached', put('p384-sha256.sig', await packetSig(p384)),
		dataPath, cert('p384-v4'), 'bad', 'ECDSA P-384 over SHA-256: RFC 9580 5.2.3.2 needs a 384-bit hash');

	// --- revocations: hard (compromised) and soft (superseded) -----------
	const TB = at(7200), TR = at(10800), TA = at(14400);
	for (const [name, flag] of [['revhard', enums.reasonForRevocation.keyCompromised],
		['revsoft', enums.reasonForRevocation.keySuperseded]]) {
		const k = await key(name, { type: 'curve25519' });
		put(`${name}.before.sig`, await detached(k, data, { date: TB }));
		put(`${name}.after.sig`, await detached(k, data, { date: TA }));
		const { publicKey } = await openpgp.revokeKey({ key: k, date: TR, format: 'object',
			reasonForRevocation: { flag, string: 'fixture revocation' } });
		put(`${name}.cert.asc`, publicKey.armor());
		put(`${name}.cert.pgp`, publicKey.write());
	}
	add('revoked-hard/sig-before-revocation', 'detached', 'v6/revhard.before.sig', dataPath, cert('revhard'), 'bad',
		'hard revocation (compromised) invalidates every signature');
	add('revoked-hard/sig-after-revocation', 'detached', 'v6/revhard.after.sig', dataPath, cert('revhard'), 'bad');
	add('revoked-soft/sig-before-revocation', 'detached', 'v6/revsoft.before.sig', dataPath, cert('revsoft'), 'policy',
		'soft revocation (superseded): signatures made before it stay valid (RFC 9580 5.2.3.31)');
	add('revoked-soft/sig-after-revocation', 'detached', 'v6/revsoft.after.sig', dataPath, cert('revsoft'), 'bad');

	// --- a v6 certificate without its direct-key self-signature (RFC 9580
	// §10.1.1 wants one): the user ID binding alone does not bind the key
	const ndk = await key('no-direct-key', { type: 'curve25519' });
	const ndkPub = ndk.toPublic();
	ndkPub.directSignatures = [];
	put('no-direct-key.cert.asc', ndkPub.armor());
	add('no-direct-key/detached', 'detached', put('no-direct-key.sig', await detached(ndk, data)),
		dataPath, cert('no-direct-key'), 'bad', 'v6 certificate whose direct-key signature was removed');

	// --- signing subkey (openpgp.js picks a valid signing subkey first) ---
	const sk = await key('subkey', { type: 'curve448', subkeys: [{ sign: true, type: 'curve25519' }] });
	add('subkey/detached', 'detached', put('subkey.sig', await detached(sk, data)), dataPath, cert('subkey'), 'good');

	// --- several signatures, some invalid --------------------------------
	const two = await openpgp.sign({ message: await openpgp.createMessage({ binary: data }),
		signingKeys: [keys.ed25519, keys.rsa3072], detached: true, format: 'binary', date: T1 });
	add('multi/two-signers', 'detached', put('multi2.sig', two), dataPath,
		`${cert('ed25519')} ${cert('rsa3072')}`, 'good');
	const bad = await detached(keys.ed448, tampered);
	const three = new Uint8Array([...readFileSync(join(dir, 'ed25519.sig')), ...bad,
		...readFileSync(join(dir, 'rsa3072.sig'))]);
	add('multi/two-of-three-valid', 'detached', put('multi3.sig', three), dataPath,
		`${cert('ed25519')} ${cert('ed448')} ${cert('rsa3072')}`, 'good');
	add('multi/only-invalid-one-known', 'detached', 'v6/multi3.sig', dataPath, cert('ed448'), 'bad');

	// --- a v6 one-pass signed message, and the same with the one-pass
	// signature's salt changed: a streaming reader hashes with that salt
	// (RFC 9580 §5.4), so the signature is not the one announced
	{
		const kp6 = keys.ed25519.keyPacket;
		const lit6 = new openpgp.LiteralDataPacket();
		lit6.setBytes(data, enums.literal.binary);
		lit6.date = T1;
		const sp6 = Object.assign(new openpgp.SignaturePacket(), {
			signatureType: enums.signature.binary, publicKeyAlgorithm: kp6.algorithm,
			hashAlgorithm: enums.hash.sha512 });
		await sp6.sign(kp6, lit6, T1, false, openpgp.config);
		if (sp6.version !== 6 || !sp6.salt)
			throw new Error('expected a v6 signature with a salt');
		for (const [name, intent, salt] of [['ops-salt-matches', 'good', sp6.salt],
			['ops-salt-differs', 'bad', new Uint8Array(sp6.salt.length)]]) {
			const ops6 = openpgp.OnePassSignaturePacket.fromSignaturePacket(sp6, true);
			ops6.salt = salt;
			const pl = new openpgp.PacketList();
			pl.push(ops6, lit6, sp6);
			add(`inline-ops/${name}`, 'inline', put(`${name}.pgp`, pl.write()), '-', cert('ed25519'), intent,
				`v6 one-pass signed message, the one-pass signature's salt ${name === 'ops-salt-matches' ? 'matching' : 'zeroed'}`);
		}
	}

	// --- a v6 cleartext message (its signature over SHA-512) given Hash:
	// headers, which v6 does not need: one naming SHA-512, one that does not
	// name it (misleading, RFC 9580 §7.1)
	{
		const ct = readFileSync(join(dir, 'ed25519.clear.asc'), 'utf8');
		const withHash = (h) => ct.replace('-----BEGIN PGP SIGNED MESSAGE-----\n',
			`-----BEGIN PGP SIGNED MESSAGE-----\nHash: ${h}\n`);
		if (withHash('X') === ct)
			throw new Error('ed25519.clear.asc: no BEGIN line to put a header after');
		add('cleartext-hash-header/names-its-hash', 'cleartext', put('ct-hash-sha512.asc', withHash('SHA512')),
			'-', cert('ed25519'), 'good', 'v6 cleartext with a Hash: header naming its SHA-512');
		add('cleartext-hash-header/misleading', 'cleartext', put('ct-hash-sha256.asc', withHash('SHA256')),
			'-', cert('ed25519'), 'bad', 'v6 cleartext whose Hash: header names SHA-256, the signature uses SHA-512');
	}

	// --- v6 RSA signatures whose MPI is not in canonical form: its bit
	// count does not start at the most significant set bit. RFC 9580 §3.2:
	// MUST reject. Two forms, each whatever the signature's value: the same
	// octets under a bit count one below the top bit (when the first octet's
	// top bit is set) or the full octets' count (when it is not), and a zero
	// octet put in front. openpgp.js writes canonical MPIs, so the packet's
	// bytes are edited: the MPI is the last field of the packet.
	{
		const pkt = readFileSync(join(dir, 'rsa3072.sig'));
		if (pkt[0] !== 0xC2)
			throw new Error('rsa3072.sig: not a new-format signature packet');
		const [hl, blen] = pkt[1] < 192 ? [2, pkt[1]] : pkt[1] < 224 ? [3, ((pkt[1] - 192) << 8) + pkt[2] + 192]
			: [6, pkt.readUInt32BE(2)];
		const body = pkt.subarray(hl, hl + blen);
		const rsaBits = 3072, vlen = rsaBits / 8;
		// the signature value may be shorter than the modulus
		let at = body.length - 2 - vlen;
		while (at < body.length - 2 && ((body[at] << 8 | body[at + 1]) + 7) >> 3 !== body.length - at - 2)
			at++;
		const val = body.subarray(at + 2);
		const withMpi = (bits, octets) => {
			const nb = new Uint8Array([...body.subarray(0, at), bits >> 8, bits & 255, ...octets]);
			const hdr = Buffer.alloc(6);
			hdr[0] = 0xC2; hdr[1] = 0xFF; hdr.writeUInt32BE(nb.length, 2);
			return new Uint8Array([...hdr, ...nb]);
		};
		add('mpi/non-canonical', 'detached',
			put('mpi-non-canonical.sig', withMpi(8 * val.length - (val[0] & 0x80 ? 1 : 0), val)),
			dataPath, cert('rsa3072'), 'bad', 'v6 signature MPI whose bit count does not start at its top bit');
		add('mpi/leading-zero', 'detached',
			put('mpi-leading-zero.sig', withMpi(8 * (val.length + 1), new Uint8Array([0, ...val]))),
			dataPath, cert('rsa3072'), 'bad', 'v6 signature MPI with a zero octet in front, counted');
	}
	// --- v6 key packets whose 4-octet key material length is one more than
	// the material: the packet does not parse (RFC 9580 §5.5.2.3).  The
	// primary key's breaks the certificate; the encryption subkey's is one
	// subkey not used, and the primary key's signature still verifies.
	{
		const c = readFileSync(join(dir, 'ed25519.cert.pgp'));
		const lengthPlusOne = (tag) => {
			const out = Buffer.from(c);
			for (let i = 0; i < out.length;) {
				if ((out[i] & 0xC0) !== 0xC0 || out[i + 1] >= 192)
					throw new Error('ed25519.cert.pgp: not a one-octet new-format length');
				if ((out[i] & 0x3F) === tag && out[i + 2] === 6) {
					out.writeUInt32BE(out.readUInt32BE(i + 8) + 1, i + 8);
					return out;
				}
				i += 2 + out[i + 1];
			}
			throw new Error(`ed25519.cert.pgp: no v6 key packet of tag ${tag}`);
		};
		add('key-material-length/primary-too-long', 'detached', v6Sig25519, dataPath,
			put('matlen-primary.cert.pgp', lengthPlusOne(6)), 'bad',
			'the primary key says its material is one octet longer than it is');
		add('key-material-length/subkey-too-long', 'detached', v6Sig25519, dataPath,
			put('matlen-subkey.cert.pgp', lengthPlusOne(14)), 'good',
			'the encryption subkey says its material is one octet longer than it is');
	}
	const inl2 = await openpgp.sign({ message: await openpgp.createMessage({ binary: data }),
		signingKeys: [keys.ed448, keys.ed25519], date: T1 });
	add('multi/inline-two-signers', 'inline', put('multi.inline.asc', inl2), '-',
		`${cert('ed448')} ${cert('ed25519')}`, 'good');

	// --- v4 certificates with signatures built packet by packet, for what
	// neither gpg nor openpgp.js's key functions make.  v4 EdDSA keys, which
	// every peer reads, so these cases are named opjs/ (v6/ means "no peer
	// but openpgp.js").
	const add4 = (c, ...rest) => {
		const [kind, sig, dat, certs, intent, note = '-'] = rest;
		appendFileSync(manifest, [`opjs/${c}`, kind, sig, dat, certs, intent, note].join('\t') + '\n');
	};
	const v4 = { type: 'ecc', curve: 'ed25519Legacy', config: { v6Keys: false } };
	const newSig = (type, signer, set = {}) => Object.assign(new openpgp.SignaturePacket(), {
		signatureType: type, publicKeyAlgorithm: signer.algorithm, hashAlgorithm: enums.hash.sha256,
	}, set);
	const dataLit = new openpgp.LiteralDataPacket();
	dataLit.setBytes(data, enums.literal.binary);
	// One detached signature by @keyPacket at @date, as a file's bytes: over
	// the data (or @over), of @type, with the fields @set, and @hook(sig)
	// run before it is signed.
	async function sigBy(keyPacket, date,
		{ type = enums.signature.binary, over = dataLit, set = {}, hook } = {}) {
		const sp = newSig(type, keyPacket, set);
		if (hook)
			hook(sp);
		await sp.sign(keyPacket, over, date, true, openpgp.config);
		const pl = new openpgp.PacketList();
		pl.push(sp);
		return pl.write();
	}
	function putCert(name, k) {
		const pub = k.toPublic();
		put(`${name}.cert.asc`, pub.armor());
		put(`${name}.cert.pgp`, pub.write());
	}

	// A signing subkey whose back-signature (0x19) expires: it may sign
	// only while the back-signature is in force.
	for (const [name, life, intent] of [['backsig-expired', 1800, 'bad'], ['backsig-in-force', 7200, 'good']]) {
		const k = await key(name, { ...v4, subkeys: [{ sign: true }] });
		const sub = k.subkeys[0];
		const bound = { key: k.keyPacket, bind: sub.keyPacket };
		const back = newSig(enums.signature.keyBinding, sub.keyPacket,
			{ signatureExpirationTime: life, signatureNeverExpires: false });
		await back.sign(sub.keyPacket, bound, T0, false, openpgp.config);
		const bind = newSig(enums.signature.subkeyBinding, k.keyPacket,
			{ keyFlags: [enums.keyFlags.signData], embeddedSignature: back });
		await bind.sign(k.keyPacket, bound, T0, false, openpgp.config);
		sub.bindingSignatures = [bind];
		putCert(name, k);
		add4(`${name}/detached`, 'detached', put(`${name}.sig`, await sigBy(sub.keyPacket, T1)),
			dataPath, cert(name), intent,
			`back-signature valid for ${life} s after the key's creation, data signed after 3600 s`);
	}

	// A user ID self-signature dated before the key it binds (marked as the
	// primary user ID, no expiration) next to a real one that lets the key
	// expire after 1800 s: only the real one counts, so the key had expired
	// when it signed.
	{
		const k = await key('selfsig-predates-key', v4);
		const user = k.users[0];
		const bound = { userID: user.userID, key: k.keyPacket };
		const flags = [enums.keyFlags.certifyKeys | enums.keyFlags.signData];
		const real = newSig(enums.signature.certPositive, k.keyPacket,
			{ keyFlags: flags, keyExpirationTime: 1800, keyNeverExpires: false });
		await real.sign(k.keyPacket, bound, T0, false, openpgp.config);
		const early = newSig(enums.signature.certPositive, k.keyPacket,
			{ keyFlags: flags, isPrimaryUserID: true });
		await early.sign(k.keyPacket, bound, at(-3600), false, openpgp.config);
		user.selfCertifications = [real, early];
		putCert('selfsig-predates-key', k);
		add4('selfsig-predates-key/detached', 'detached',
			put('selfsig-predates-key.sig', await sigBy(k.keyPacket, T1)), dataPath,
			cert('selfsig-predates-key'), 'bad',
			'a self-signature older than the key does not count; the real one expired the key');
	}

	// Subpacket bytes (length, type, body) added at the end of the hashed
	// area of the signature @sig, for what openpgp.js has no field for
	// (the area length is two octets in v4, four in v6).
	const appendHashed = (sig, bytes) => {
		sig.writeHashedSubPackets = function () {
			const area = Object.getPrototypeOf(this).writeHashedSubPackets.call(this);
			const w = this.version === 6 ? 4 : 2, n = area.length - w + bytes.length;
			const len = w === 4 ? [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255] : [n >> 8, n & 255];
			return new Uint8Array([...len, ...area.subarray(w), ...bytes]);
		};
	};

	// A data signature with two hashed creation times (T1, then T1 + 3600):
	// the last one counts (RFC 9580 §5.2.4.1), which VERIFICATIONS shows.
	{
		const k = await key('created-twice', v4);
		const t = Math.floor(T1.getTime() / 1000) + 3600;
		const sig = await sigBy(k.keyPacket, T1, { hook: (sp) =>
			appendHashed(sp, [5, 2, t >>> 24, (t >>> 16) & 255, (t >>> 8) & 255, t & 255]) });
		add4('created-twice/detached', 'detached', put('created-twice.sig', sig), dataPath,
			cert('created-twice'), 'good', 'two signature creation time subpackets: the last counts');
	}

	// A data signature whose expiration time is 0: it does not expire
	// (RFC 9580 §5.2.3.18).
	{
		const k = await key('sig-expiration-zero', v4);
		const sig = await sigBy(k.keyPacket, T1,
			{ set: { signatureExpirationTime: 0, signatureNeverExpires: false } });
		add4('sig-expiration-zero/detached', 'detached', put('sig-expiration-zero.sig', sig), dataPath,
			cert('sig-expiration-zero'), 'good', 'a signature expiration time of 0: no expiration');
	}

	// A data signature with a critical notation no verifier knows: invalid
	// (RFC 9580 §5.2.3.24).
	{
		const k = await key('critical-notation', v4);
		const sig = await sigBy(k.keyPacket, T1, { set: { rawNotations: [{
			name: 'unknown@fixtures.digestguard.test', value: new TextEncoder().encode('x'),
			humanReadable: true, critical: true }] } });
		add4('critical-notation/detached', 'detached', put('critical-notation.sig', sig), dataPath,
			cert('critical-notation'), 'bad', 'a critical notation that no verifier knows');
	}

	// Subpackets RFC 9580 defines that a verifier need not carry out: a
	// Signature Target (31, what a third-party confirmation is about) and
	// Preferred AEAD Ciphersuites (39, a key's preference).  Critical on a
	// data signature they make it invalid (§5.2.3.7: gpgv, sqv and sqop
	// reject it); not critical they are ignored.
	for (const [name, crit, body, intent, note] of [
		['critical-target', 0x80, [31, 22, 8, ...new Array(32).fill(0x5a)], 'bad',
			'a critical signature target subpacket (31), which no verifier here carries out'],
		['noncritical-target', 0, [31, 22, 8, ...new Array(32).fill(0x5a)], 'good',
			'a signature target subpacket (31), not critical: ignored'],
		['critical-pref-aead', 0x80, [39, 9, 2], 'bad',
			'a critical preferred AEAD ciphersuites subpacket (39) on a data signature'],
	]) {
		const k = await key(name, v4);
		const sig = await sigBy(k.keyPacket, T1, { hook: (sp) =>
			appendHashed(sp, [body.length, crit | body[0], ...body.slice(1)]) });
		add4(`${name}/detached`, 'detached', put(`${name}.sig`, sig), dataPath, cert(name), intent, note);
	}

	// --- signatures of types that do not sign a document (RFC 9580 §5.2.1),
	// given as a detached signature: a standalone (0x02) or timestamp (0x40)
	// signature hashes no data, so a verifier that takes it for a document
	// signature accepts it over any data.
	{
		const k = await key('not-document', v4);
		const empty = new openpgp.LiteralDataPacket();
		empty.setBytes(new Uint8Array(0), enums.literal.binary);
		const shapes = [
			['standalone', enums.signature.standalone, empty],
			['timestamp', enums.signature.timestamp, empty],
			['certification', enums.signature.certGeneric,
				{ userID: k.users[0].userID, key: k.keyPacket }],
		];
		for (const [name, type, over] of shapes)
			add4(`not-document/${name}`, 'detached',
				put(`not-document-${name}.sig`, await sigBy(k.keyPacket, T1, { type, over })), dataPath,
				cert('not-document'), 'bad', `a ${name} signature is not a document signature`);
	}

	// --- inline-signed messages of every shape RFC 9580 §10.3 allows (and
	// some it does not), signed by two v4 keys --------------------------------
	{
		// A packet of a type openpgp.js has no class for: new format
		// header (RFC 9580 §4.2.1), three bytes of body.
		const rawPacket = (tag) => new Uint8Array([0xC0 | tag, 3, 0x61, 0x62, 0x63]);
		const padding = () => {
			const pp = new openpgp.PaddingPacket();
			pp.padding = new Uint8Array(16);
			return pp;
		};
		// Packets and raw packet bytes, in order, as one file.
		const writeShape = (items) => new Uint8Array(items.flatMap((x) => {
			if (x instanceof Uint8Array)
				return [...x];
			const pl = new openpgp.PacketList();
			pl.push(x);
			return [...pl.write()];
		}));
		const [ka, kb] = [await key('inline-a', v4), await key('inline-b', v4)];
		const lit = new openpgp.LiteralDataPacket();
		lit.setBytes(data, enums.literal.binary);
		lit.date = T1;
		const sigOf = async (k) => {
			const sp = newSig(enums.signature.binary, k.keyPacket);
			await sp.sign(k.keyPacket, lit, T1, false, openpgp.config);
			return sp;
		};
		const [sa, sb] = [await sigOf(ka), await sigOf(kb)];
		const sb512 = newSig(enums.signature.binary, kb.keyPacket, { hashAlgorithm: enums.hash.sha512 });
		await sb512.sign(kb.keyPacket, lit, T1, false, openpgp.config);
		const ops = (sp, last = true) => openpgp.OnePassSignaturePacket.fromSignaturePacket(sp, last);
		// a one-pass signature announcing something else than its signature
		const opsSaying = (sp, set) => Object.assign(ops(sp), set);
		const certs = `${cert('inline-a')} ${cert('inline-b')}`;
		const shapes = [
			['sig-before-literal', 'good', [sa, lit], 'a signature packet, then the literal data (no one-pass)'],
			['two-sigs-before-literal', 'good', [sa, sb, lit], 'two signature packets, then the literal data'],
			['ops-around-prefix-sig', 'good', [ops(sa), sb, lit, sa],
				'one-pass signed message around a signed message (signature, literal)'],
			['nested-two', 'good', [ops(sb, false), ops(sa), lit, sa, sb], 'two one-pass signatures, nested'],
			['marker-first', 'good', [new openpgp.MarkerPacket(), ops(sa), lit, sa], 'a marker packet first'],
			['ops-without-sig', 'bad', [ops(sa), lit], 'a one-pass signature without its signature'],
			['two-literals', 'bad', [ops(sa), lit, lit, sa], 'two literal data packets'],
			// RFC 9580 §4.3: an unknown packet type from 40 up is
			// skipped, one below 40 rejects the whole message.
			['noncritical-before-literal', 'good', [ops(sa), rawPacket(60), lit, sa],
				'an unknown non-critical packet (type 60) before the literal data'],
			['noncritical-after-sig', 'good', [ops(sa), lit, sa, rawPacket(45)],
				'an unknown non-critical packet (type 45) after the signature'],
			['critical-before-literal', 'bad', [ops(sa), rawPacket(30), lit, sa],
				'an unknown critical packet (type 30) before the literal data'],
			['padding-after-sig', 'good', [ops(sa), lit, sa, padding()], 'a padding packet at the end'],
			// RFC 9580 §10.3: nested, the first signature after the data
			// goes with the last one-pass signature (hashes differ here)
			['nested-two-hashes', 'good', [ops(sb512, false), ops(sa), lit, sa, sb512],
				'two one-pass signatures, nested, over SHA-512 and SHA-256'],
			['ops-announces-other-hash', 'bad', [opsSaying(sa, { hashAlgorithm: enums.hash.sha512 }), lit, sa],
				'the one-pass signature announces SHA-512, the signature uses SHA-256'],
			['ops-announces-other-type', 'bad', [opsSaying(sa, { signatureType: enums.signature.text }), lit, sa],
				'the one-pass signature announces a text signature, the signature is binary'],
			['ops-announces-other-pk-algo', 'good',
				[opsSaying(sa, { publicKeyAlgorithm: enums.publicKey.rsaSign }), lit, sa],
				'the one-pass signature announces RSA, the signature is EdDSA (the hash is the same)'],
		];
		for (const [name, intent, packets, note] of shapes)
			add4(`inline-shape/${name}`, 'inline', put(`inline-${name}.pgp`, writeShape(packets)), '-',
				certs, intent, note);
		// The same packets given as a detached signature file.
		const detachedSig = newSig(enums.signature.binary, ka.keyPacket);
		await detachedSig.sign(ka.keyPacket, lit, T1, true, openpgp.config);
		const dshapes = [
			['marker-then-sig', 'good', [new openpgp.MarkerPacket(), detachedSig], 'a marker packet, then the signature'],
			['same-sig-twice', 'good', [detachedSig, detachedSig], 'one signature packet twice'],
			['inline-message', 'bad', [ops(sa), lit, sa], 'an inline-signed message, not a detached signature'],
			['sig-then-literal', 'bad', [sa, lit], 'a signature and the literal data it signs'],
			['certificate', 'bad', [...ka.toPublic().toPacketList()], 'a certificate, not a signature'],
			['sig-then-userid', 'bad', [detachedSig, ka.users[0].userID],
				'a user ID packet after the signature'],
			['noncritical-after-sig', 'good', [detachedSig, rawPacket(60)],
				'an unknown non-critical packet (type 60) after the signature'],
			['critical-after-sig', 'bad', [detachedSig, rawPacket(30)],
				'an unknown critical packet (type 30) after the signature'],
			['padding-after-sig', 'good', [detachedSig, padding()], 'a padding packet after the signature'],
		];
		for (const [name, intent, packets, note] of dshapes)
			add4(`detached-shape/${name}`, 'detached', put(`detached-${name}.sig`, writeShape(packets)),
				dataPath, cert('inline-a'), intent, note);
	}

	// --- who may sign, and which signatures bind or revoke: one change to
	// a v4 EdDSA certificate per case, data signed at T1 -------------------
	const other = await key('other-signer', v4);
	const rebindUser = async (k, set) => {
		const user = k.users[0];
		const sig = newSig(enums.signature.certPositive, k.keyPacket, set);
		await sig.sign(k.keyPacket, { userID: user.userID, key: k.keyPacket }, T0, false, openpgp.config);
		user.selfCertifications = [sig];
	};
	// The primary key's direct-key self-signature (0x1F) at T0, with the
	// fields @set, in place of any other.
	const rebindDirect = async (k, set) => {
		const dk = newSig(enums.signature.key, k.keyPacket, set);
		await dk.sign(k.keyPacket, { key: k.keyPacket }, T0, false, openpgp.config);
		k.directSignatures = [dk];
	};
	// A signing subkey bound by @binder (default: its primary key) with the
	// binding's extra fields @set, and a valid back-signature.
	// @hook(bind) may change the binding before it is signed; @keep keeps the
	// bindings made so far (the new one goes last), made at @date.
	// The back-signature is made at @backDate (default: @date).
	const rebindSub = async (k, set, binder = k, { date = T0, backDate = date, keep = false, hook } = {}) => {
		const sub = k.subkeys[0];
		const bound = { key: k.keyPacket, bind: sub.keyPacket };
		const back = newSig(enums.signature.keyBinding, sub.keyPacket);
		await back.sign(sub.keyPacket, bound, backDate, false, openpgp.config);
		const bind = newSig(enums.signature.subkeyBinding, binder.keyPacket,
			{ keyFlags: [enums.keyFlags.signData], embeddedSignature: back, ...set });
		if (hook)
			hook(bind);
		await bind.sign(binder.keyPacket, bound, date, false, openpgp.config);
		sub.bindingSignatures = keep ? [...sub.bindingSignatures, bind] : [bind];
		return sub;
	};
	const revocation = (type, signer, reason = enums.reasonForRevocation.keyCompromised) =>
		newSig(type, signer.keyPacket, {
			reasonForRevocationFlag: reason, reasonForRevocationString: 'fixture revocation' });
	// The primary key signs, and expires @secs after its creation (0: never).
	const primaryExpiring = (secs) => async (k) => {
		await rebindUser(k, { keyFlags: [enums.keyFlags.certifyKeys | enums.keyFlags.signData],
			keyExpirationTime: secs, keyNeverExpires: false });
		return k.keyPacket;
	};
	const bound = [
		['sig-after-key-expiry', 'bad', 'the key expired 1800 s after its creation, the data was signed after 3600 s',
			primaryExpiring(1800)],
		['sig-at-key-expiry', 'policy', 'the key expires 3600 s after its creation, when the data was signed',
			primaryExpiring(3600)],
		['sig-second-before-key-expiry', 'good', 'the key expires 3601 s after its creation, 1 s after the data signature',
			primaryExpiring(3601)],
		['key-expiration-zero', 'good', 'a key expiration time of 0 in the self-signature: the key does not expire',
			primaryExpiring(0)],
		['primary-no-key-flags', 'policy', 'the primary key signed data, its self-signature has no key flags',
			async (k) => { await rebindUser(k, { keyFlags: null }); return k.keyPacket; }],
		['subkey-no-key-flags', 'policy', 'the subkey signed data, its binding has no key flags',
			async (k) => (await rebindSub(k, { keyFlags: null })).keyPacket],
		// ... and the direct-key signature's key flags (the primary key's)
		// say certify and sign: Sequoia lends them to the subkey
		// (docs/pgp-differences.md sequoia-direct-key-subkey-flags).
		['subkey-no-key-flags-direct-key-signs', 'policy',
			"the subkey signed data, its binding has no key flags, the direct-key signature's say certify and sign",
			async (k) => {
				await rebindDirect(k, { keyFlags: [enums.keyFlags.certifyKeys | enums.keyFlags.signData] });
				return (await rebindSub(k, { keyFlags: null })).keyPacket;
			}],
		['primary-certify-only', 'bad', 'the primary key signed data, its key flags say certify only',
			async (k) => { await rebindUser(k, { keyFlags: [enums.keyFlags.certifyKeys] }); return k.keyPacket; }],
		['subkey-expired', 'bad', 'the signing subkey expired 1800 s after its creation',
			async (k) => (await rebindSub(k, { keyExpirationTime: 1800, keyNeverExpires: false })).keyPacket],
		['subkey-not-signing', 'bad', 'the subkey signed data, its binding says encryption only',
			async (k) => (await rebindSub(k, { keyFlags: [enums.keyFlags.encryptCommunication |
				enums.keyFlags.encryptStorage] })).keyPacket],
		['subkey-bound-by-other-key', 'bad', 'the subkey binding is made by another key, not the primary',
			async (k) => (await rebindSub(k, {}, other)).keyPacket],
		['subkey-revoked-by-itself', 'good', 'a subkey revocation made by the subkey, not the primary: not a revocation',
			async (k) => {
				const sub = await rebindSub(k, {});
				const rev = revocation(enums.signature.subkeyRevocation, sub);
				await rev.sign(sub.keyPacket, { key: k.keyPacket, bind: sub.keyPacket }, at(1800), false,
					openpgp.config);
				sub.revocationSignatures = [rev];
				return sub.keyPacket;
			}],
		// Sequoia lets a self-signature newer than a soft key revocation
		// take the revocation back (docs/pgp-differences.md
		// soft-revocation-reinstated; GnuPG too).
		['soft-revoked-then-rebound', 'policy',
			'the key was retired (soft) at 1800 s and given a new user ID self-signature at 2700 s; the data was signed at 3600 s',
			async (k) => {
				const rev = revocation(enums.signature.keyRevocation, k, enums.reasonForRevocation.keyRetired);
				await rev.sign(k.keyPacket, { key: k.keyPacket }, at(1800), false, openpgp.config);
				k.revocationSignatures = [rev];
				const user = k.users[0];
				const sig = newSig(enums.signature.certPositive, k.keyPacket,
					{ keyFlags: [enums.keyFlags.certifyKeys | enums.keyFlags.signData] });
				await sig.sign(k.keyPacket, { userID: user.userID, key: k.keyPacket }, at(2700), false,
					openpgp.config);
				user.selfCertifications = [...user.selfCertifications, sig];
				return k.keyPacket;
			}],
		['revoked-by-other-key', 'good', 'a key revocation made by another key (no designated revoker): not a revocation',
			async (k) => {
				const rev = revocation(enums.signature.keyRevocation, other);
				await rev.sign(other.keyPacket, { key: k.keyPacket }, at(1800), false, openpgp.config);
				k.revocationSignatures = [rev];
				return k.keyPacket;
			}],
	];
	const noSign = { keyFlags: [enums.keyFlags.encryptCommunication | enums.keyFlags.encryptStorage] };
	bound.push(
		['uid-certified-by-other-key', 'bad', 'the only user ID certification is made by another key',
			async (k) => {
				const user = k.users[0];
				const sig = newSig(enums.signature.certGeneric, other.keyPacket);
				await sig.sign(other.keyPacket, { userID: user.userID, key: k.keyPacket }, T0, false,
					openpgp.config);
				user.selfCertifications = [sig];
				k.subkeys = [];
				return k.keyPacket;
			}],
		['subkey-binding-sig-expired', 'bad', 'the subkey binding signature itself expired 1800 s after it was made',
			async (k) => (await rebindSub(k, { signatureExpirationTime: 1800,
				signatureNeverExpires: false })).keyPacket],
		// ... and one that expired since, after the data signature: it was
		// in force when the data was signed (gpgv judges it at the present
		// time, docs/pgp-differences.md gpgv-binding-expired-since)
		['subkey-binding-sig-expired-since', 'good',
			'the subkey binding signature expired 7200 s after it was made, after the data signature',
			async (k) => (await rebindSub(k, { signatureExpirationTime: 7200,
				signatureNeverExpires: false })).keyPacket],
		// The only user ID revoked, with no self-signature left to bind the
		// key: no certificate (docs/pgp-differences.md gpgv-revoked-user-id)
		['uid-revoked-only', 'bad', 'the only user ID has a revocation and no self-signature; the primary key signed',
			async (k) => {
				const user = k.users[0];
				const rev = revocation(enums.signature.certRevocation, k,
					enums.reasonForRevocation.userIDInvalid);
				await rev.sign(k.keyPacket, { userID: user.userID, key: k.keyPacket }, at(1800), false,
					openpgp.config);
				user.selfCertifications = [];
				user.revocationSignatures = [rev];
				k.subkeys = [];
				return k.keyPacket;
			}],
		['subkey-rebound-without-sign', 'bad', 'a newer binding, made before the data signature, drops the sign flag',
			async (k) => {
				await rebindSub(k, {});
				return (await rebindSub(k, noSign, k, { date: at(1800), keep: true })).keyPacket;
			}],
		['subkey-rebound-after-sig', 'good', 'the binding without the sign flag is newer than the data signature',
			async (k) => {
				await rebindSub(k, {});
				return (await rebindSub(k, noSign, k, { date: at(7200), keep: true })).keyPacket;
			}],
		// The most recent *valid* binding counts (RFC 9580 §5.2.3.10): a
		// signing binding without its back-signature in force is passed
		// over for the older one (docs/pgp-differences.md
		// newest-valid-binding).
		['subkey-rebound-without-backsig', 'good', 'a newer signing binding, made before the data signature, has no back-signature',
			async (k) => {
				await rebindSub(k, {});
				return (await rebindSub(k, {}, k, { date: at(1800), keep: true,
					hook: (b) => { b.embeddedSignature = null; } })).keyPacket;
			}],
		['subkey-rebound-backsig-later', 'good', 'a newer signing binding, made before the data signature, carries a back-signature made after it',
			async (k) => {
				await rebindSub(k, {});
				return (await rebindSub(k, {}, k, { date: at(1800), backDate: at(7200), keep: true })).keyPacket;
			}],
		['subkey-soft-revoked-after-sig', 'policy', 'the subkey was retired (soft) after the data signature',
			async (k) => {
				const sub = await rebindSub(k, {});
				const rev = revocation(enums.signature.subkeyRevocation, k,
					enums.reasonForRevocation.keyRetired);
				await rev.sign(k.keyPacket, { key: k.keyPacket, bind: sub.keyPacket }, at(7200), false,
					openpgp.config);
				sub.revocationSignatures = [rev];
				return sub.keyPacket;
			}],
		['binding-unknown-critical', 'bad', 'the subkey binding has a critical subpacket of unknown type 99',
			async (k) => (await rebindSub(k, {}, k,
				{ hook: (b) => appendHashed(b, [2, 0x80 | 99, 0]) })).keyPacket],
	);
	// A signature older than the key that made it is no signature, as
	// Sequoia and GnuPG have it: a subkey binding made by the primary key
	// may be older than the subkey it binds (it is not older than its
	// maker), the subkey's back-signature may not.  Revocations are the
	// exception: one older than its maker still revokes (fail closed;
	// Sequoia ignores it, docs/pgp-differences.md revocation-predates-key).
	// The subkey here is made 600 s after the primary key.
	const late = at(600);
	const subRevocation = async (k, date, reason = enums.reasonForRevocation.keyCompromised) => {
		const sub = await rebindSub(k, {}, k, { date: late });
		const rev = revocation(enums.signature.subkeyRevocation, k, reason);
		await rev.sign(k.keyPacket, { key: k.keyPacket, bind: sub.keyPacket }, date, false, openpgp.config);
		sub.revocationSignatures = [rev];
		return sub.keyPacket;
	};
	const predates = [
		['binding-predates-subkey', 'good', 'the subkey binding, made by the primary key, is 600 s older than the subkey',
			async (k) => (await rebindSub(k, {}, k, { date: T0, backDate: late })).keyPacket],
		['backsig-predates-subkey', 'bad', 'the back-signature, made by the subkey, is 600 s older than the subkey',
			async (k) => (await rebindSub(k, {}, k, { date: late, backDate: T0 })).keyPacket],
		['subkey-revocation-predates-subkey', 'bad', 'a hard subkey revocation by the primary key, 600 s older than the subkey',
			async (k) => subRevocation(k, T0)],
		['subkey-revocation-predates-key', 'bad', 'a hard subkey revocation dated 3600 s before the primary key that made it',
			async (k) => subRevocation(k, at(-3600))],
		['key-revocation-predates-key', 'bad', 'a hard key revocation dated 3600 s before the key it revokes and that made it',
			async (k) => {
				const rev = revocation(enums.signature.keyRevocation, k);
				await rev.sign(k.keyPacket, { key: k.keyPacket }, at(-3600), false, openpgp.config);
				k.revocationSignatures = [rev];
				return k.keyPacket;
			}],
	];
	for (const [name, intent, note, change] of [...bound, ...predates]) {
		const late = predates.some((p) => p[0] === name);
		const k = await key(name, { ...v4, subkeys: [{ sign: true, ...(late ? { date: at(600) } : {}) }] });
		const signer = await change(k);
		putCert(name, k);
		add4(`${name}/detached`, 'detached', put(`${name}.sig`, await sigBy(signer, T1)), dataPath,
			cert(name), intent, note);
	}

	// A user ID's older self-signature marks it primary (no expiration),
	// its newer one drops the mark and lets the key expire after 1800 s:
	// only the newer speaks for the user ID, so the key had expired when it
	// signed (digestguard took the older one until tools/semdiff.py found
	// it).
	{
		const name = 'primary-mark-superseded';
		const k = await key(name, v4);
		const user = k.users[0];
		const flags = [enums.keyFlags.certifyKeys | enums.keyFlags.signData];
		const old = newSig(enums.signature.certPositive, k.keyPacket, { keyFlags: flags, isPrimaryUserID: true });
		await old.sign(k.keyPacket, { userID: user.userID, key: k.keyPacket }, T0, false, openpgp.config);
		const cur = newSig(enums.signature.certPositive, k.keyPacket,
			{ keyFlags: flags, keyExpirationTime: 1800, keyNeverExpires: false });
		await cur.sign(k.keyPacket, { userID: user.userID, key: k.keyPacket }, at(600), false, openpgp.config);
		user.selfCertifications = [old, cur];
		putCert(name, k);
		add4(`${name}/detached`, 'detached', put(`${name}.sig`, await sigBy(k.keyPacket, T1)), dataPath,
			cert(name), 'bad', 'the newer self-signature of the user ID drops the primary mark and expires the key');
	}

	// Two user ID self-signatures made in the same second, one letting the
	// key expire after 1800 s, one without expiration, in either order:
	// the stricter one counts, whatever the order (docs/pgp-differences.md
	// tied-self-signatures).
	for (const [name, expiringFirst] of [['tied-selfsig-expiring-first', true],
		['tied-selfsig-expiring-last', false]]) {
		const k = await key(name, v4);
		const user = k.users[0];
		const flags = [enums.keyFlags.certifyKeys | enums.keyFlags.signData];
		const made = [];
		for (const set of [{ keyFlags: flags, keyExpirationTime: 1800, keyNeverExpires: false },
			{ keyFlags: flags }]) {
			const sig = newSig(enums.signature.certPositive, k.keyPacket, set);
			await sig.sign(k.keyPacket, { userID: user.userID, key: k.keyPacket }, T0, false, openpgp.config);
			made.push(sig);
		}
		user.selfCertifications = expiringFirst ? made : made.reverse();
		putCert(name, k);
		add4(`tied-self-signatures/${expiringFirst ? 'expiring-first' : 'expiring-last'}`, 'detached',
			put(`${name}.sig`, await sigBy(k.keyPacket, T1)), dataPath, cert(name), 'bad',
			'of two self-signatures made at the same time the one expiring the key counts');
	}

	// A v4 key's direct-key self-signature and its user ID self-signature
	// disagree on the sign flag: digestguard and gpgv follow the
	// direct-key signature, Sequoia and openpgp.js the user ID's
	// (docs/pgp-differences.md direct-key-flags).
	for (const [name, dkSigns] of [['direct-key-certify-only', false], ['direct-key-signs', true]]) {
		const k = await key(name, v4);
		const certify = enums.keyFlags.certifyKeys, sign = enums.keyFlags.signData;
		await rebindDirect(k, { keyFlags: [dkSigns ? certify | sign : certify] });
		await rebindUser(k, { keyFlags: [dkSigns ? certify : certify | sign] });
		putCert(name, k);
		add4(`direct-key-flags/${dkSigns ? 'signs' : 'certify-only'}`, 'detached',
			put(`${name}.sig`, await sigBy(k.keyPacket, T1)), dataPath, cert(name),
			dkSigns ? 'good' : 'bad',
			`the direct-key signature's key flags ${dkSigns ? 'include' : 'leave out'} signing, the user ID's ${dkSigns ? 'leave it out' : 'include it'}`);
	}

	// A v4 key bound by a direct-key self-signature alone, no user ID:
	// openpgp.js wants a user ID on a v4 key (docs/pgp-differences.md
	// opjs-v4-needs-user-id).
	{
		const name = 'direct-key-only';
		const k = await key(name, v4);
		await rebindDirect(k, { keyFlags: [enums.keyFlags.certifyKeys | enums.keyFlags.signData] });
		k.users = [];
		putCert(name, k);
		add4(`${name}/detached`, 'detached', put(`${name}.sig`, await sigBy(k.keyPacket, T1)), dataPath,
			cert(name), 'good', 'a v4 key with a direct-key self-signature and no user ID');
	}

	// Data signatures over SHA3-256 and SHA3-512 (RFC 9580 §9.5) by a v4
	// key: Debian 12's Sequoia and GnuPG know no SHA3 (docs/pgp-differences.md
	// no-sha3).
	{
		const k = await key('sha3', v4);
		putCert('sha3', k);
		for (const [hname, h] of [['sha3-256', enums.hash.sha3_256], ['sha3-512', enums.hash.sha3_512]])
			add4(`sha3/${hname}`, 'detached',
				put(`sha3.${hname}.sig`, await sigBy(k.keyPacket, T1, { set: { hashAlgorithm: h } })),
				dataPath, cert('sha3'), 'good', `a data signature over ${hname.toUpperCase()}`);
	}

	// v6 keys (no peer but openpgp.js reads them):
	// - a user ID self-signature that expires the key after 1800 s, the
	//   direct-key signature without expiration: digestguard takes the
	//   stricter, openpgp.js reads a v6 key's expiration from the direct-key
	//   signature only (docs/pgp-differences.md opjs-v6-user-id-expiration);
	// - a data signature that also names its issuer by key ID, which RFC
	//   9580 §5.2.3.12 forbids in a v6 signature: digestguard uses the
	//   fingerprint, openpgp.js refuses to parse it (opjs-v6-issuer-key-id).
	{
		const k = await key('v6-uid-expiration', { type: 'curve25519' });
		await rebindUser(k, { keyFlags: [enums.keyFlags.certifyKeys | enums.keyFlags.signData],
			keyExpirationTime: 1800, keyNeverExpires: false });
		putCert('v6-uid-expiration', k);
		add('user-id-expiration/detached', 'detached',
			put('v6-uid-expiration.sig', await sigBy(k.keyPacket, T1)), dataPath,
			cert('v6-uid-expiration'), 'bad',
			'the user ID self-signature expires the key after 1800 s, the data was signed after 3600 s');
		const kid = [...keys.ed25519.keyPacket.getFingerprintBytes().subarray(0, 8)];
		add('issuer-key-id/detached', 'detached',
			put('v6-issuer-key-id.sig', await sigBy(keys.ed25519.keyPacket, T1,
				{ hook: (sp) => appendHashed(sp, [9, 16, ...kid]) })),
			dataPath, cert('ed25519'), 'good', 'a v6 data signature with an Issuer Key ID subpacket');
	}

	// Signatures without an issuer subpacket (RFC 9580 §5.2.3.12 and
	// §5.2.3.35 are SHOULDs): digestguard tries the keys a signature may
	// be by; every peer gives up (docs/pgp-differences.md issuer-less).
	const noIssuer = (sig) => {
		sig.writeHashedSubPackets = function () {
			const { issuerFingerprint, issuerKeyVersion } = this;
			this.issuerFingerprint = null;
			this.issuerKeyVersion = 6;	// no key ID subpacket either
			try {
				return Object.getPrototypeOf(this).writeHashedSubPackets.call(this);
			} finally {
				Object.assign(this, { issuerFingerprint, issuerKeyVersion });
			}
		};
	};
	// The data signature, the only user ID self-signature and the signing
	// subkey binding, each in a case of its own (@dir/data-signature,
	// self-signature, subkey-binding; files @stem-data, -selfsig,
	// -binding) and each with @hook(sig) applied; @says ends the notes.
	async function issuerCases(dir, stem, hook, says) {
		{
			const k = await key(`${stem}-data`, v4);
			add4(`${dir}/data-signature`, 'detached',
				put(`${stem}-data.sig`, await sigBy(k.keyPacket, T1, { hook })), dataPath,
				cert(`${stem}-data`), 'good', `the data signature ${says}`);
		}
		{
			const k = await key(`${stem}-selfsig`, v4);
			const user = k.users[0];
			const sig = newSig(enums.signature.certPositive, k.keyPacket,
				{ keyFlags: [enums.keyFlags.certifyKeys | enums.keyFlags.signData] });
			hook(sig);
			await sig.sign(k.keyPacket, { userID: user.userID, key: k.keyPacket }, T0, false,
				openpgp.config);
			user.selfCertifications = [sig];
			putCert(`${stem}-selfsig`, k);
			add4(`${dir}/self-signature`, 'detached',
				put(`${stem}-selfsig.sig`, await sigBy(k.keyPacket, T1)), dataPath,
				cert(`${stem}-selfsig`), 'good', `the only user ID self-signature ${says}`);
		}
		{
			const k = await key(`${stem}-binding`, { ...v4, subkeys: [{ sign: true }] });
			const sub = await rebindSub(k, {}, k, { hook });
			putCert(`${stem}-binding`, k);
			add4(`${dir}/subkey-binding`, 'detached',
				put(`${stem}-binding.sig`, await sigBy(sub.keyPacket, T1)), dataPath,
				cert(`${stem}-binding`), 'good', `the signing subkey binding ${says}`);
		}
	}
	await issuerCases('issuer-less', 'issuer-less', noIssuer, 'names no issuer');
	// The same three naming their issuer by its fingerprint alone (no
	// Issuer Key ID subpacket): gpgv 2.2 wants the key ID on a key's
	// self-signatures (docs/pgp-differences.md issuer-less).
	const fprOnly = (sig) => {
		sig.writeHashedSubPackets = function () {
			const { issuerKeyID } = this;
			this.issuerKeyID = { isNull: () => true };
			try {
				return Object.getPrototypeOf(this).writeHashedSubPackets.call(this);
			} finally {
				this.issuerKeyID = issuerKeyID;
			}
		};
	};
	await issuerCases('issuer-fpr-only', 'issuer-fpr', fprOnly, 'names its issuer by fingerprint only');

	// A v6 certificate with a v4 signing subkey, and a v4 certificate with
	// a v6 one, bound by openpgp.js: a signature hashes a key framed as the
	// signature's version frames keys (RFC 9580 §5.2.4: 0x99 and a 2-octet
	// length for v4, 0x9B and a 4-octet length for v6), whatever the key's
	// own version.  digestguard framed each key by its own version, so it
	// refused these bindings and took ones made that other way (session 22).
	for (const [name, primaryOpts, subOpts] of [
		['v6-primary-v4-subkey', { type: 'curve25519' }, v4],
		['v4-primary-v6-subkey', v4, { type: 'curve25519' }],
	]) {
		const k = await key(`mixed-${name}`, { ...primaryOpts, subkeys: [{ sign: true }] });
		const donor = await key(`mixed-${name}-donor`, { ...subOpts, subkeys: [{ sign: true }] });
		k.subkeys[0].keyPacket = donor.subkeys[0].keyPacket;
		const sub = await rebindSub(k, {});
		putCert(`mixed-${name}`, k);
		add(`mixed-versions/${name}`, 'detached', put(`mixed-${name}.sig`, await sigBy(sub.keyPacket, T1)),
			dataPath, cert(`mixed-${name}`), 'good',
			`a ${name.replace(/-/g, ' ')} bound and signing (the binding hashes each key as its signature's version frames keys)`);
	}

	// Issuer subpackets in the unhashed area, which is not signed: anyone
	// who passes a certificate or a signature on can add some.  Here the
	// hashed area names the issuer by key ID only (as GnuPG 1.4 and 2.0,
	// and PGP, wrote signatures), or not at all, and an Issuer Fingerprint
	// or Issuer Key ID subpacket naming another key goes into the unhashed
	// area, before anything else there.  A key is a candidate when any
	// issuer subpacket names it (as Sequoia has it): a hard revocation must
	// still revoke, a self-signature still bind, a data signature still
	// verify (digestguard went by the first fingerprint, unhashed too, and
	// dropped the revocation; docs/pgp-differences.md unhashed-issuer).
	const keyIdOnly = (sig) => {
		sig.writeHashedSubPackets = function () {
			const { issuerFingerprint } = this;
			this.issuerFingerprint = null;	// the Issuer Key ID stays
			try {
				return Object.getPrototypeOf(this).writeHashedSubPackets.call(this);
			} finally {
				this.issuerFingerprint = issuerFingerprint;
			}
		};
	};
	const otherFpr = { type: enums.signatureSubpacket.issuerFingerprint, critical: false,
		body: new Uint8Array([4, ...other.keyPacket.getFingerprintBytes()]) };
	const keyIdSub = (kp) => ({ type: enums.signatureSubpacket.issuerKeyID, critical: false,
		body: kp.getKeyID().write() });
	const unhashedCases = [
		['key-revocation-foreign-fingerprint', 'bad',
			'a hard key revocation naming its issuer by key ID (hashed), and another key by fingerprint (unhashed)',
			async (k) => {
				const rev = revocation(enums.signature.keyRevocation, k);
				keyIdOnly(rev);
				await rev.sign(k.keyPacket, { key: k.keyPacket }, at(1800), false, openpgp.config);
				rev.unhashedSubpackets = [otherFpr, ...rev.unhashedSubpackets];
				k.revocationSignatures = [rev];
				return k.keyPacket;
			}],
		['key-revocation-foreign-key-id-first', 'bad',
			'a hard key revocation naming no issuer in its hashed area; unhashed: another key ID, then its own',
			async (k) => {
				const rev = revocation(enums.signature.keyRevocation, k);
				noIssuer(rev);
				await rev.sign(k.keyPacket, { key: k.keyPacket }, at(1800), false, openpgp.config);
				rev.unhashedSubpackets = [keyIdSub(other.keyPacket), keyIdSub(k.keyPacket)];
				k.revocationSignatures = [rev];
				return k.keyPacket;
			}],
		['subkey-revocation-foreign-fingerprint', 'bad',
			'a hard subkey revocation naming its issuer by key ID (hashed), and another key by fingerprint (unhashed)',
			async (k) => {
				const sub = await rebindSub(k, {});
				const rev = revocation(enums.signature.subkeyRevocation, k);
				keyIdOnly(rev);
				await rev.sign(k.keyPacket, { key: k.keyPacket, bind: sub.keyPacket }, at(1800), false,
					openpgp.config);
				rev.unhashedSubpackets = [otherFpr, ...rev.unhashedSubpackets];
				sub.revocationSignatures = [rev];
				return sub.keyPacket;
			}],
		['self-signature-foreign-fingerprint', 'good',
			'the only user ID self-signature names its issuer by key ID (hashed), and another key by fingerprint (unhashed)',
			async (k) => {
				const user = k.users[0];
				const sig = newSig(enums.signature.certPositive, k.keyPacket,
					{ keyFlags: [enums.keyFlags.certifyKeys | enums.keyFlags.signData] });
				keyIdOnly(sig);
				await sig.sign(k.keyPacket, { userID: user.userID, key: k.keyPacket }, T0, false,
					openpgp.config);
				sig.unhashedSubpackets = [otherFpr, ...sig.unhashedSubpackets];
				user.selfCertifications = [sig];
				return k.keyPacket;
			}],
	];
	for (const [name, intent, note, change] of unhashedCases) {
		const k = await key(`unhashed-${name}`, { ...v4, subkeys: [{ sign: true }] });
		const signer = await change(k);
		putCert(`unhashed-${name}`, k);
		add4(`issuer-unhashed/${name}`, 'detached',
			put(`unhashed-${name}.sig`, await sigBy(signer, T1)), dataPath, cert(`unhashed-${name}`),
			intent, note);
	}
	{
		const k = await key('unhashed-data', v4);
		const sig = newSig(enums.signature.binary, k.keyPacket);
		keyIdOnly(sig);
		await sig.sign(k.keyPacket, dataLit, T1, true, openpgp.config);
		sig.unhashedSubpackets = [otherFpr, ...sig.unhashedSubpackets];
		const pl = new openpgp.PacketList();
		pl.push(sig);
		add4('issuer-unhashed/data-signature-foreign-fingerprint', 'detached',
			put('unhashed-data.sig', pl.write()), dataPath, cert('unhashed-data'), 'good',
			'the data signature names its issuer by key ID (hashed), and another key by fingerprint (unhashed)');
	}
}

// --- verify ------------------------------------------------------------
// armored if an armor header line appears anywhere (gnupg's sample keys
// carry a key listing before it)
const isArmored = (b) => b.includes('-----BEGIN PGP');

async function readCerts(paths) {
	const all = [];
	for (const p of paths) {
		const b = readFileSync(p);
		all.push(...(isArmored(b) ? await openpgp.readKeys({ armoredKeys: b.toString('utf8') })
			: await openpgp.readKeys({ binaryKeys: b })));
	}
	return all;
}

async function entries(verifications, certs) {
	const out = [];
	for (const v of verifications) {
		try {
			await v.verified;
			const sig = (await v.signature).packets[0];
			for (const c of certs) {
				const sub = c.getKeys(v.keyID)[0];
				if (sub) {
					const mode = sig.signatureType === enums.signature.text ? 'text' : 'binary';
					out.push(`${iso(sig.created)} ${upper(sub.getFingerprint())} ${upper(c.getFingerprint())} mode:${mode}`);
					break;
				}
			}
		} catch { /* an invalid signature is not a verification */ }
	}
	// sorted and unique, as pgp_diff.sh's join_entries() has the others
	return [...new Set(out)].sort();
}

async function verifyOne(kind, sigPath, dataPath, certPaths, bodyOut) {
	const certs = await readCerts(certPaths);
	if (kind === 'detached') {
		const b = readFileSync(sigPath);
		const signature = isArmored(b) ? await openpgp.readSignature({ armoredSignature: b.toString('utf8') })
			: await openpgp.readSignature({ binarySignature: b });
		const message = await openpgp.createMessage({ binary: readFileSync(dataPath) });
		const r = await openpgp.verify({ message, signature, verificationKeys: certs, format: 'binary' });
		return entries(r.signatures, certs);
	}
	const b = readFileSync(sigPath);
	let message, format = 'binary';
	if (b.includes('-----BEGIN PGP SIGNED MESSAGE-----')) {
		message = await openpgp.readCleartextMessage({ cleartextMessage: b.toString('utf8') });
		format = 'utf8';	// openpgp.js returns cleartext bodies only as text
	}
	else if (isArmored(b))
		message = await openpgp.readMessage({ armoredMessage: b.toString('utf8') });
	else
		message = await openpgp.readMessage({ binaryMessage: b });
	const r = await openpgp.verify({ message, verificationKeys: certs, format });
	if (bodyOut) writeFileSync(bodyOut, r.data);
	return entries(r.signatures, certs);
}

async function verify() {
	const lines = readFileSync(0, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
	for (const line of lines) {
		const [name, kind, sig, data, certs, bodyOut] = line.split('\t');
		let res;
		try {
			const e = await verifyOne(kind, sig, data, certs.split(' ').filter(Boolean), bodyOut);
			res = `${e.length ? 'good' : 'bad'}\t${e.join(';')}\t-`;
		} catch (err) {
			res = `bad\t\t${String(err.message || err).split('\n')[0]}`;
		}
		process.stdout.write(`${name}\t${res}\n`);
	}
}

const [cmd, arg] = process.argv.slice(2);
if (cmd === 'gen' && arg) await gen(arg);
else if (cmd === 'verify') await verify();
else {
	console.error('usage: node gen-v6.mjs gen OUTDIR | verify <CASES');
	process.exit(2);
}
