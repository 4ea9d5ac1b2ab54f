import { isLang, translate, type MessageKey, type Params } from '../i18n';
import type { Lang } from '../format';

const KEY = 'gozcu.lang';

/** The UI language: Turkish first, English switchable, remembered in localStorage. */
export class LocaleManager {
  lang = $state<Lang>('tr');

  constructor() {
    try {
      const saved = localStorage.getItem(KEY);
      if (isLang(saved)) this.lang = saved;
    } catch {
      /* private mode */
    }
    this.#apply();
  }

  t = (key: MessageKey, params?: Params): string => translate(this.lang, key, params);

  set(lang: Lang): void {
    this.lang = lang;
    try {
      localStorage.setItem(KEY, lang);
    } catch {
      /* ignore */
    }
    this.#apply();
  }

  toggle(): void {
    this.set(this.lang === 'tr' ? 'en' : 'tr');
  }

  #apply(): void {
    if (typeof document !== 'undefined') document.documentElement.lang = this.lang;
  }
}
