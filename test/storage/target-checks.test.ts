/**
 * Functions that open a journal for their caller name themselves and their
 * own parameter when it is not a journal (they said "Journal.open: target").
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { readStudy } from '../../src/report';
import { listStudies, migrateJournal, readStudyList } from '../../src/storage';

const V1 = 'test/storage/fixtures/v1-journal.jsonl';
const GOT = 'expected a path or a JournalBackend (readAll, append, withLock), got';

describe('journal targets of the functions that open one', () => {
  it('refuse what is not a path or a backend, naming the function and its parameter', async () => {
    const cases: [Promise<unknown>, string, string][] = [
      [listStudies(5 as never), `listStudies: storage: ${GOT} 5`, 'storage'],
      [readStudyList({} as never), `readStudyList: storage: ${GOT} {}`, 'storage'],
      [migrateJournal(5 as never, '/tmp/unused.jsonl'), `migrateJournal: from: ${GOT} 5`, 'from'],
      [migrateJournal('/tmp/unused.jsonl', null as never), `migrateJournal: to: ${GOT} null`, 'to'],
      [readStudy(5 as never), `readStudy: journal: ${GOT} 5`, 'journal'],
      // a misspelt studyName wrote the trials into the study "default"; a string for options was taken
      [migrateJournal(V1, '/tmp/unused.jsonl', { studyname: 'm' } as never), 'option "studyname": unknown option of migrateJournal (known: studyName)', 'studyname'],
      [migrateJournal(V1, '/tmp/unused.jsonl', 'm' as never), 'migrateJournal: options must be an object, got string', 'options'],
      [migrateJournal(V1, '/tmp/unused.jsonl', { studyName: '' }), 'option "studyName": expected a non-empty string, got ""', 'studyName'],
    ];
    for (const [call, message, option] of cases) await expect(call).rejects.toThrow(new InvalidOptionError(message, option));
    expect(existsSync('/tmp/unused.jsonl')).toBe(false);
  });
});
