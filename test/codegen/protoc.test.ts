import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GOLDEN } from './paths.js';

/**
 * Every .proto `conduit gen --proto` emits for the fixtures must compile with the real protoc
 * (Debian's protobuf-compiler, which .ci/run installs), as another language's toolchain would
 * read it.
 */
const protos = readdirSync(GOLDEN).filter((f) => f.endsWith('.proto')).sort();
const scratch = mkdtempSync(join(tmpdir(), 'conduit-protoc-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function protoc(dir: string, file: string) {
  const run = spawnSync('protoc', [`--proto_path=${dir}`, `--descriptor_set_out=${join(scratch, `${file}.pb`)}`, file], { encoding: 'utf8' });
  if (run.error) throw new Error(`protoc could not run (${run.error.message}); install it: apt-get install -y protobuf-compiler`);
  return run;
}

describe('protoc', () => {
  it('has golden .proto files to check', () => {
    expect(protos.length).toBeGreaterThan(10);
  });

  it.each(protos)('accepts %s', (file) => {
    const run = protoc(GOLDEN, file);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('rejects a broken file, so the checks above can fail', () => {
    writeFileSync(join(scratch, 'broken.proto'), 'syntax = "proto3";\nmessage A { string a = 1; string b = 1; }\n');
    const run = protoc(scratch, 'broken.proto');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/has already been used/);
  });
});
