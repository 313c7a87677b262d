import { ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { Db } from '../ozmap-model/db/client.js';
import { audit, type Actor } from './audit.js';

export interface Note {
  id: string;
  author: string;
  text: string;
  createdAt: string;
}

export type NoteSubject = 'reservation' | 'prospect' | 'handoff';

const MAX_NOTE = 2000;

export async function notesOf(
  db: Db,
  subjectType: NoteSubject,
  subjectId: string,
): Promise<Note[]> {
  const rows = await db.salesNote.findMany({
    where: { subjectType, subjectId },
    orderBy: { createdAt: 'desc' },
    take: 200,
  });
  return rows.map((n) => ({
    id: n.id,
    author: n.authorName,
    text: n.text,
    createdAt: n.createdAt.toISOString(),
  }));
}

/** Adds a note (audited) to a reservation, prospect or hand-off. */
export async function addNote(
  db: Db,
  subjectType: NoteSubject,
  subjectId: string,
  text: unknown,
  actor: Actor,
  at: Date,
): Promise<Note> {
  const body = typeof text === 'string' ? text.trim() : '';
  if (!body) throw new ValidationError('Escreva a anotação antes de salvar.', 'text');
  if (body.length > MAX_NOTE)
    throw new ValidationError(`A anotação passa de ${MAX_NOTE} caracteres.`, 'text');
  const id = newId(at.getTime());
  await db.$transaction(async (tx) => {
    await tx.salesNote.create({
      data: {
        id,
        subjectType,
        subjectId,
        authorId: actor.type === 'system' ? null : actor.id,
        authorName: actor.name,
        text: body,
        createdAt: at,
      },
    });
    await audit(
      tx,
      actor,
      {
        action: `${subjectType}.note`,
        subjectType,
        subjectId,
        detail: { characters: body.length },
      },
      at,
    );
  });
  return { id, author: actor.name, text: body, createdAt: at.toISOString() };
}
