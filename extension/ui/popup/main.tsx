import { render } from 'preact';
import { Popup } from './Popup.js';
import { uiLang } from '../common/i18n.js';

document.documentElement.lang = uiLang();
render(<Popup />, document.getElementById('app')!);
