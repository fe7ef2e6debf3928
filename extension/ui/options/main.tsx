import { render } from 'preact';
import { Options } from './Options.js';
import { uiLang } from '../common/i18n.js';

document.documentElement.lang = uiLang();
document.title = `${document.title}`;
render(<Options />, document.getElementById('app')!);
