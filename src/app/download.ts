import { errorFrom, type CentreClient } from '../sync/api';

/** A ZIP the centre makes on request (an export), with the file name it gave it. */
export async function fetchZip(client: CentreClient, path: string, fallbackName: string): Promise<{ zip: Blob; filename: string }> {
  const response = await client.fetch(path);
  if (!response.ok) throw await errorFrom(response);
  const named = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '');
  return { zip: await response.blob(), filename: named?.[1] ?? fallbackName };
}

/** Hands a blob to the browser as a download. */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked on the next task: the browser has started the download by then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
