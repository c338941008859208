// The page's entry: start the machine first (client/earlyStart.ts), then load
// and render the app, which is most of the code; the two load side by side.
import { startEarly } from './client/earlyStart';

startEarly();
void import('./render');
