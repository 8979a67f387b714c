// Summarises a .cpuprofile (from BENCH_CPU_PROFILE): where the samples' self time went, by
// package or source area and by function, and the inclusive time of this repository's functions.
// Run: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]
import { readFileSync } from "node:fs";

type Frame = { functionName: string; url: string; lineNumber: number };
type Node = { id: number; callFrame: Frame; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

const file = process.argv[2];
const top = Number(process.argv[3] ?? 30);
if (!file) throw new Error("usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

/** The package (node_modules/<name>), repository area (lib/<dir>/<file>) or runtime bucket of a frame. */
function area(frame: Frame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith("(") ? frame.functionName : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return url;
  const repo = /\/((?:lib|bench|app)\/.*)$/.exec(url);
  return repo ? repo[1]!.replace(/\.[tj]sx?$/, "") : url;
}

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const self = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  self.set(id, (self.get(id) ?? 0) + delta);
  total += delta;
});

const selfByArea = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const inclusiveRepo = new Map<string, number>();
for (const [id, time] of self) {
  const node = byId.get(id)!;
  const frameArea = area(node.callFrame);
  selfByArea.set(frameArea, (selfByArea.get(frameArea) ?? 0) + time);
  const name = `${node.callFrame.functionName || "(anonymous)"}  ${frameArea}:${node.callFrame.lineNumber + 1}`;
  selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + time);
  // Inclusive time for this repository's functions: each distinct function on the stack once.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at)!.callFrame;
    if (!/\/(lib|bench)\//.test(frame.url) || frame.url.includes("node_modules")) continue;
    const key = `${frame.functionName || "(anonymous)"}  ${area(frame)}:${frame.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusiveRepo.set(key, (inclusiveRepo.get(key) ?? 0) + time);
  }
}

const print = (title: string, entries: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, time] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${((100 * time) / total).toFixed(1).padStart(5)} %  ${(time / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  }
};
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
print("self time by area", selfByArea);
print("self time by function", selfByFunction);
print("inclusive time, this repository's functions", inclusiveRepo);
