// What the user gave a send cannot be used: found before anything is sent, so the command reports
// it as a usage mistake (exit 2) and the reader list is untouched.
import { UsageError } from '../errors.ts';

export class SetupError extends UsageError {}
