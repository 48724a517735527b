/**
 * Entry point of the side panel webview.
 */
import { createRoot } from 'react-dom/client';
import '../common/styles.css';
import { App } from './App';

createRoot(document.getElementById('root')!).render(<App />);
