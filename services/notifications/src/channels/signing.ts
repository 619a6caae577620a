import { createHash, createHmac } from 'node:crypto';

/**
 * The request signatures of the platforms the chat and SMS adapters talk to, as their documents
 * give them (and checked against their worked examples in signing.test.ts).
 */

/**
 * DingTalk custom robot 加签: `sign = urlEncode(base64(HmacSHA256(key = secret, timestamp + "\n" +
 * secret)))`, the timestamp in milliseconds; both go in the query string. Returned unencoded: the
 * caller puts it through URLSearchParams, which does the URL encoding.
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/**
 * Aliyun's percent-encoding for RPC signatures: RFC 3986 unreserved characters (A–Z a–z 0–9 - _ . ~)
 * stay, everything else is %XY of its UTF-8 bytes (a space is %20, not +; * is %2A).
 */
export function aliyunPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The canonicalized query string: parameters sorted by name, names and values encoded. */
export function aliyunCanonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(params[k]!)}`)
    .join('&');
}

/** StringToSign = METHOD + "&" + encode("/") + "&" + encode(canonicalized query). */
export function aliyunStringToSign(method: 'GET' | 'POST', params: Record<string, string>): string {
  return `${method}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(aliyunCanonicalQuery(params))}`;
}

/** Signature = base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)) (SignatureVersion 1.0). */
export function aliyunSignature(
  accessKeySecret: string,
  method: 'GET' | 'POST',
  params: Record<string, string>,
): string {
  return createHmac('sha1', `${accessKeySecret}&`)
    .update(aliyunStringToSign(method, params), 'utf8')
    .digest('base64');
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac256 = (key: string | Buffer, message: string) =>
  createHmac('sha256', key).update(message, 'utf8').digest();

export interface Tc3Request {
  secretId: string;
  secretKey: string;
  /** The product, the first label of its host: `sms`, `cvm`. */
  service: string;
  host: string;
  /** Unix seconds; also X-TC-Timestamp. The credential scope's date is its UTC date. */
  timestamp: number;
  /** The exact body sent (POST JSON). */
  payload: string;
  contentType?: string;
}

export interface Tc3Signature {
  canonicalRequest: string;
  stringToSign: string;
  credentialScope: string;
  signature: string;
  authorization: string;
}

/**
 * Tencent Cloud API 3.0 TC3-HMAC-SHA256 for a POST with signed headers content-type and host:
 * canonical request → string to sign (algorithm, timestamp, credential scope, its SHA-256) →
 * signing key derived as HMAC("TC3" + SecretKey, date) → service → "tc3_request".
 */
export function tc3Sign(r: Tc3Request): Tc3Signature {
  const contentType = r.contentType ?? 'application/json; charset=utf-8';
  const date = new Date(r.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = 'content-type;host';
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${contentType.toLowerCase()}\nhost:${r.host.toLowerCase()}\n`,
    signedHeaders,
    sha256Hex(r.payload),
  ].join('\n');
  const credentialScope = `${date}/${r.service}/tc3_request`;
  const stringToSign = [
    'TC3-HMAC-SHA256',
    String(r.timestamp),
    credentialScope,
    sha256Hex(canonicalRequest),
  ].join('\n');
  const secretDate = hmac256(`TC3${r.secretKey}`, date);
  const secretService = hmac256(secretDate, r.service);
  const secretSigning = hmac256(secretService, 'tc3_request');
  const signature = createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');
  return {
    canonicalRequest,
    stringToSign,
    credentialScope,
    signature,
    authorization: `TC3-HMAC-SHA256 Credential=${r.secretId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
