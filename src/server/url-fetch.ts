import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isPublicAddress } from "./address-policy.js";
import { formatBytes } from "./body.js";
import { HttpError } from "./errors.js";

export interface FetchImageOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Test hook: accept loopback and private addresses (never set by the CLI). */
  allowPrivate?: boolean;
  maxRedirects?: number;
  signal?: AbortSignal;
  /** Test hooks: which addresses may be fetched (default: public ones) and the DNS resolver. */
  isAllowedAddress?: (address: string) => boolean;
  dnsLookup?: typeof dnsLookup;
}

const refused = (message: string) => new HttpError(400, "url_not_allowed", message);

/**
 * Fetch image bytes from an http(s) URL whose host resolves only to public addresses. The address is
 * checked at connect time (in the socket's DNS lookup), so a name that re-resolves to a private address
 * between check and use (DNS rebinding) is still refused. Redirects are followed by hand and re-checked.
 */
export async function fetchImageUrl(url: string, options: FetchImageOptions): Promise<Buffer> {
  let current = url;
  for (let hop = 0; hop <= (options.maxRedirects ?? 3); hop++) {
    const res = await requestOnce(current, options);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      current = new URL(res.headers.location, current).toString();
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new HttpError(502, "url_fetch_failed", `fetching the image URL gave HTTP ${status}`);
    }
    return readLimited(res, options.maxBytes);
  }
  throw new HttpError(502, "url_fetch_failed", "the image URL redirected too many times");
}

function checkedUrl(raw: string, options: FetchImageOptions): URL {
  const allowPrivate = options.allowPrivate === true;
  const allowed = options.isAllowedAddress ?? isPublicAddress;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw refused("imageUrl is not a valid URL");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw refused("imageUrl must be an http:// or https:// URL");
  if (u.username || u.password) throw refused("imageUrl must not carry credentials");
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) && !allowPrivate && !allowed(host)) {
    throw refused(`imageUrl points at a non-public address (${host})`);
  }
  if (!allowPrivate && /^localhost$|\.localhost$|\.local$|\.internal$/i.test(host)) {
    throw refused(`imageUrl points at a local host name (${host})`);
  }
  return u;
}

/** DNS lookup that fails when any resolved address is not public. */
function publicOnlyLookup(options: FetchImageOptions): LookupFunction {
  const allowPrivate = options.allowPrivate === true;
  const allowed = options.isAllowedAddress ?? isPublicAddress;
  const lookup = options.dnsLookup ?? dnsLookup;
  return (hostname, opts, callback) => {
    lookup(hostname, { ...opts, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 4);
      const bad = addresses.find((a) => !allowPrivate && !allowed(a.address));
      if (bad || addresses.length === 0) {
        return callback(refused(`imageUrl host ${hostname} resolves to a non-public address`), "", 4);
      }
      if (opts.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function requestOnce(raw: string, options: FetchImageOptions): Promise<IncomingMessage> {
  const u = checkedUrl(raw, options);
  const send = u.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method: "GET",
        lookup: publicOnlyLookup(options),
        timeout: options.timeoutMs,
        signal: options.signal,
        headers: { accept: "image/*", "user-agent": "som-serve" },
      },
      resolve,
    );
    req.on("timeout", () =>
      req.destroy(new HttpError(504, "url_fetch_timeout", "fetching the image URL timed out")),
    );
    req.on("error", (err) => {
      if (err instanceof HttpError) reject(err);
      else reject(new HttpError(502, "url_fetch_failed", `fetching the image URL failed (${err.message})`));
    });
    req.end();
  });
}

function readLimited(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    return Promise.reject(tooBig(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        res.destroy();
        reject(tooBig(maxBytes));
      } else chunks.push(c);
    });
    res.on("end", () => resolve(Buffer.concat(chunks, size)));
    res.on("error", (err) =>
      reject(new HttpError(502, "url_fetch_failed", `reading the image URL failed (${err.message})`)),
    );
  });
}

const tooBig = (max: number) =>
  new HttpError(
    413,
    "body_too_large",
    `the image at imageUrl is larger than the limit of ${formatBytes(max)}`,
  );
