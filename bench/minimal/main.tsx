/**
 * The smallest page with the app's three runtime foundations: Preact renders a list that Dexie
 * reads from IndexedDB. The reference for the app shell's bytes (bench/run.ts, measure 1).
 */
import Dexie, { type EntityTable } from 'dexie';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';

interface Item {
  id: string;
  title: string;
}

const db = new Dexie('minimal') as Dexie & { items: EntityTable<Item, 'id'> };
db.version(1).stores({ items: 'id' });

function App() {
  const [items, setItems] = useState<Item[]>([]);
  useEffect(() => {
    void db.items.toArray().then(setItems);
  }, []);
  return (
    <main>
      <h1>Items</h1>
      <ul>
        {items.map((item) => (
          <li key={item.id}>{item.title}</li>
        ))}
      </ul>
      <button onClick={() => void db.items.add({ id: crypto.randomUUID(), title: 'New item' }).then(() => db.items.toArray().then(setItems))}>Add</button>
    </main>
  );
}

render(<App />, document.getElementById('app')!);
