import type { Request, Response } from 'express';
import type { FieldError } from '../errors';

/** What an error page shows: the status, its reason, the message and the fields at fault. */
export interface ErrorPageModel {
  statusCode: number;
  error: string;
  message: string;
  details: readonly FieldError[];
}

/**
 * Renders an error as a page in the site's layout (menu, who is logged in, "switch back"). The global
 * exception filter is in the kernel and knows no module: the page machinery implements this and the
 * composition root (app.factory.ts) hands it to the filter.
 */
export abstract class ErrorPages {
  abstract render(req: Request, res: Response, error: ErrorPageModel): Promise<void>;
}
