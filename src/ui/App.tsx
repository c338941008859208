import { IsolationGate } from './isolation/IsolationGate';
import { Playground } from './shell/Playground';

export function App() {
  return (
    <IsolationGate>
      <Playground />
    </IsolationGate>
  );
}
