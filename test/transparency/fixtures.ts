/** Typed loaders for the vectors under test/fixtures/transparency/ (each file keeps its `_source`). */
import { readFileSync } from 'node:fs';

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/transparency/${name}`, import.meta.url), 'utf8')) as T;

export interface RootsFixture {
  _source: string;
  leafInputsHex: string[];
  leafHashes: string[];
  rootsBySize: Record<string, string>;
}
export interface HasherFixture {
  _source: string;
  leaves: { inputUtf8: string; hash: string }[];
  nodes: { leftUtf8: string; rightUtf8: string; hash: string }[];
}
export interface InclusionFixture {
  _source: string;
  cases: { index: number; size: number; proof: string[] }[];
}
export interface ConsistencyFixture {
  _source: string;
  cases: { size1: number; size2: number; proof: string[] }[];
}
export interface SignedNotesFixture {
  cases: { _source: string; vkey: string; skey?: string; note: string }[];
}

export const rootsFixture = (): RootsFixture => load('rfc6962-roots.json');
export const hasherFixture = (): HasherFixture => load('rfc6962-hasher.json');
export const inclusionFixture = (): InclusionFixture => load('inclusion-proofs.json');
export const consistencyFixture = (): ConsistencyFixture => load('consistency-proofs.json');
export const signedNotesFixture = (): SignedNotesFixture => load('signed-notes.json');
