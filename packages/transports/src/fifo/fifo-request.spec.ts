import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFifos } from './fifo-files.js';
import { checkPrivateDir, FifoRequestReader, formatRequest, PIPE_BUF } from './fifo-request.js';

function reader() {
  const dirs: string[] = [];
  const problems: string[] = [];
  const requests = new FifoRequestReader(
    (dir) => dirs.push(dir),
    (problem) => problems.push(problem),
  );
  return { push: (...chunks: (string | Buffer)[]) => chunks.forEach((chunk) => requests.push(Buffer.from(chunk))), dirs, problems };
}

describe('formatRequest', () => {
  it('writes magic, version and folder on one line', () => {
    expect(formatRequest('/tmp/my dir/x').toString()).toBe('CNDT-FIFO 1 /tmp/my dir/x\n');
  });

  it('refuses what could not be written atomically or read back as one line', () => {
    expect(() => formatRequest(`/${'d'.repeat(PIPE_BUF)}`)).toThrow(/over PIPE_BUF \(4096\); set TMPDIR to a shorter path/);
    expect(() => formatRequest('/tmp/a\nb')).toThrow(/contains a newline/);
  });
});

describe('FifoRequestReader', () => {
  it('reads requests whole, several in a chunk, and split across chunks', () => {
    const r = reader();
    r.push('CNDT-FIFO 1 /a\nCNDT-FIFO 1 /b c\nCNDT-FI', 'FO 1 /d', '\n');
    expect(r.dirs).toEqual(['/a', '/b c', '/d']);
    expect(r.problems).toEqual([]);
  });

  it('reports a junk line and reads the request after it', () => {
    const r = reader();
    r.push('garbage\nCNDT-FIFO 1 /a\n');
    expect(r.dirs).toEqual(['/a']);
    expect(r.problems).toEqual(['ignored 8 bytes that are not a connection request: "garbage\\n"']);
  });

  it('resynchronises on the magic after junk without a newline, even one that looks like a request', () => {
    const r = reader();
    r.push('half');
    expect(r.problems).toEqual(['ignored 4 bytes that are not a connection request: "half"']);
    r.push('CNDT-FIFO 1 /unfinished', 'CNDT-FIFO 1 /a\n');
    expect(r.dirs).toEqual(['/a']);
    expect(r.problems[1]).toBe('ignored 23 bytes that are not a connection request: "CNDT-FIFO 1 /unfinished"');
  });

  it('keeps a tail that may begin the magic, and reports it if it does not', () => {
    const r = reader();
    r.push('xxCNDT');
    expect(r.problems).toEqual(['ignored 2 bytes that are not a connection request: "xx"']);
    r.push('-FIFO 1 /a\nCND', 'oops\n');
    expect(r.dirs).toEqual(['/a']);
    expect(r.problems[1]).toBe('ignored 8 bytes that are not a connection request: "CNDoops\\n"');
  });

  it('drops a line longer than PIPE_BUF, with or without a newline, and holds no more than that', () => {
    const r = reader();
    r.push(`CNDT-FIFO 1 /${'y'.repeat(PIPE_BUF)}`);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^ignored 4109 bytes that are not a connection request: "CNDT-FIFO 1 \/y+"…$/);
    r.push('z'.repeat(10), '\nCNDT-FIFO 1 /a\n');
    expect(r.dirs).toEqual(['/a']);
    r.push(`CNDT-FIFO 1 /${'w'.repeat(PIPE_BUF)}\n`);
    expect(r.problems.at(-1)).toMatch(/^ignored 4110 bytes/);
  });

  it('refuses another version and a relative folder, naming the line', () => {
    const r = reader();
    r.push('CNDT-FIFO 2 /a\nCNDT-FIFO 1 relative\nCNDT-FIFO 1\n');
    expect(r.dirs).toEqual([]);
    expect(r.problems).toEqual([
      'refused a connection request (version "2", this server speaks 1): "CNDT-FIFO 2 /a"',
      'refused a connection request (the directory is not an absolute path): "CNDT-FIFO 1 relative"',
      'refused a connection request (the directory is not an absolute path): "CNDT-FIFO 1"',
    ]);
  });
});

describe('checkPrivateDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'fifo-request-spec-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let folders = 0;
  async function folder(mode = 0o700): Promise<string> {
    const dir = join(root, `d${++folders}`);
    mkdirSync(dir);
    chmodSync(dir, mode);
    await makeFifos([join(dir, 'c2s'), join(dir, 's2c')]);
    return dir;
  }

  it("accepts a client's folder and names its FIFOs", async () => {
    const dir = await folder();
    expect(await checkPrivateDir(dir)).toEqual({ clientToServer: join(dir, 'c2s'), serverToClient: join(dir, 's2c') });
  });

  it('refuses a folder others may enter, FIFOs others may open, files that are not FIFOs, and links', async () => {
    const open = await folder(0o755);
    await expect(checkPrivateDir(open)).rejects.toThrow(`${open} has mode 755, not 700`);

    const loose = await folder();
    chmodSync(join(loose, 's2c'), 0o666);
    await expect(checkPrivateDir(loose)).rejects.toThrow(`${join(loose, 's2c')} has mode 666, not 600`);

    const plain = join(root, 'plain');
    mkdirSync(plain, { mode: 0o700 });
    await expect(checkPrivateDir(plain)).rejects.toThrow(`${join(plain, 'c2s')} does not exist`);

    const link = join(root, 'link');
    symlinkSync(await folder(), link);
    await expect(checkPrivateDir(link)).rejects.toThrow(`${link} is not a directory`);
  });
});
