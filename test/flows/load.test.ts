import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FlowValidationError, canonicalJson, flowHash, loadFlowFile, parseFlow, validateFlowFiles } from '../../src/flows/load.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orderflow-flows-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const A = 'id: f\nname: F\nsteps:\n  - id: a\n    kind: map\n    expression: "1"\n';
// The same definition, written differently (flow style, other key order, comments).
const A_REFORMATTED = '# same flow\nname: F\nid: f\nsteps: [ { expression: "1", kind: map, id: a } ]\n';

void describe('loading flow files', () => {
  void it('loads a file with its source, path and a sha256 version hash', async () => {
    const file = join(dir, 'a.yaml');
    await writeFile(file, A);
    const loaded = await loadFlowFile(file);
    assert.equal(loaded.file, file);
    assert.equal(loaded.source, A);
    assert.equal(loaded.flow.id, 'f');
    assert.match(loaded.hash, /^[0-9a-f]{64}$/);
  });

  void it('gives the same version hash to a reformatted file and a new one to a changed definition', () => {
    const h = flowHash(parseFlow(A, 'a.yaml'));
    assert.equal(flowHash(parseFlow(A_REFORMATTED, 'b.yaml')), h);
    assert.notEqual(flowHash(parseFlow(A.replace('"1"', '"2"'), 'c.yaml')), h);
  });

  void it('writes canonical JSON with sorted keys at every level', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });

  void it('reports a missing file as an issue of that file', async () => {
    const missing = join(dir, 'missing.yaml');
    await assert.rejects(loadFlowFile(missing), (e: unknown) => e instanceof FlowValidationError && e.issues[0]?.file === missing && /ENOENT/.test(e.message));
  });

  void it('collects the issues of many files, none for the valid ones', async () => {
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    await writeFile(good, A);
    await writeFile(bad, 'id: Bad\nsteps: []\n');
    const issues = await validateFlowFiles([good, bad, join(dir, 'nope.yaml')]);
    assert.deepEqual(
      issues.map((i) => [i.file, i.path]),
      [
        [bad, 'id'],
        [bad, 'steps'],
        [join(dir, 'nope.yaml'), ''],
      ],
    );
  });
});
