import { render } from 'preact';
import { App } from './app.js';
import { labelTableCells } from './components/table-labels.js';
import './styles.css';

const root = document.getElementById('app')!;
render(<App />, root);
labelTableCells(root);
