// Payload renderings for the message view. Everything here returns plain strings: the page shows
// them as text, never as HTML (rule 8).
import { formatJson, parseJson } from "./json-source";

/** Pretty-printed JSON with every number as written, or null when the text is not JSON. */
export function prettyJson(text: string | null): string | null {
  const node = parseJson(text);
  return node && formatJson(node);
}

/** Classic hex dump: offset, 16 bytes in hex, and their printable ASCII. */
export function hexDump(bytes: Uint8Array, maxBytes = 64 * 1024): string {
  const lines: string[] = [];
  const end = Math.min(bytes.byteLength, maxBytes);
  for (let offset = 0; offset < end; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, end));
    const hex = Array.from(row, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(row, (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".")).join("");
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.byteLength > end) lines.push(`… ${bytes.byteLength - end} more bytes`);
  return lines.join("\n");
}

/** Base64 → bytes, in the browser and in Node. */
export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
