/**
 * The options page: the policy in force, read-only. There are deliberately no inputs: what the admin
 * set cannot be weakened here, and what the admin left unset stays at the shipped default.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { UiPolicy } from '../../background/ui-protocol.js';
import type { CategoryGuidance, ManagedPolicy } from '../../../src/policy/types.js';
import type { Limits } from '../../../src/detect/types.js';
import { size } from '../checking/indicator.js';
import { getPolicy } from '../common/api.js';
import { t, uiLang } from '../common/i18n.js';

const CATEGORIES = ['webmail', 'sharing', 'genai', 'custom', 'other'] as const;
const VERDICTS = ['marked', 'unscannable', 'clean'] as const;
/** Unscannable cases with an action of their own (falling back to `unscannable`). */
const CASES = [
  ['tooLarge', 'options_col_too_large'],
  ['encrypted', 'options_col_encrypted'],
] as const;

/** Each scan limit, in the order an employee would ask about them, and how its value reads. */
const LIMITS: [keyof Limits, (v: number) => string][] = [
  ['maxBytes', size],
  ['timeBudgetMs', (v) => t('options_limit_seconds', String(Math.round(v / 100) / 10))],
  ['maxDepth', (v) => t('options_limit_levels', String(v))],
  ['maxEntries', (v) => t('options_limit_count', v.toLocaleString())],
  ['maxExpandedBytes', size],
  ['maxRatio', (v) => t('options_limit_times', String(v))],
];

function Origin({ keys, managed }: { keys: (keyof ManagedPolicy)[]; managed: (keyof ManagedPolicy)[] }) {
  const isManaged = keys.some((k) => managed.includes(k));
  return (
    <span class={`badge ${isManaged ? 'managed' : 'default'}`} data-managed={isManaged ? 'true' : 'false'}>
      {isManaged ? t('options_managed') : t('options_default')}
    </span>
  );
}

function Section(props: { id: string; title: string; keys: (keyof ManagedPolicy)[]; managed: (keyof ManagedPolicy)[]; children: ComponentChildren }) {
  return (
    <section data-testid={`section-${props.id}`}>
      <h2>
        {props.title} <Origin keys={props.keys} managed={props.managed} />
      </h2>
      {props.children}
    </section>
  );
}

function List({ items }: { items: string[] }) {
  if (items.length === 0) return <p class="muted">{t('options_none')}</p>;
  return (
    <ul>
      {items.map((i) => (
        <li key={i}>
          <code>{i}</code>
        </li>
      ))}
    </ul>
  );
}

export function Options() {
  const [data, setData] = useState<UiPolicy | null>(null);
  useEffect(() => {
    void getPolicy().then(setData);
  }, []);
  if (!data) return <p class="muted">{t('options_loading')}</p>;
  const p = data.effective;
  const m = data.managedKeys;
  const lang = uiLang();
  const designated = Object.entries(p.designated).filter(([, v]) => v.length > 0);
  return (
    <main data-testid="options">
      <h1>
        <img src="/icons/icon-32.png" width={24} height={24} alt="" />
        {t('options_title')}
      </h1>
      <p>{t('options_intro')}</p>
      <p class="muted">{t('options_extension_id', data.extensionId)}</p>

      {data.problems.length > 0 && (
        <section class="problems" data-testid="problems">
          <h2>{t('options_problems')}</h2>
          <ul>
            {data.problems.map((x) => (
              <li key={x}>
                <code>{x}</code>
              </li>
            ))}
          </ul>
        </section>
      )}

      <Section id="services" title={t('options_services')} keys={['services', 'removeServices']} managed={m}>
        <table>
          <thead>
            <tr>
              <th>{t('options_col_name')}</th>
              <th>{t('options_col_category')}</th>
              <th>{t('options_col_hosts')}</th>
            </tr>
          </thead>
          <tbody>
            {p.services.map((s) => (
              <tr key={s.id} data-service={s.id}>
                <td>{s.name}</td>
                <td>{t(`category_${s.category}`)}</td>
                <td class="hosts">
                  {s.hosts.map((h) => (
                    <code key={h}>{h}</code>
                  ))}
                  {s.paths && <span class="muted">{s.paths.join(' ')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section id="allow" title={t('options_allow')} keys={['allow']} managed={m}>
        <List items={p.allow} />
      </Section>

      <Section id="actions" title={t('options_actions')} keys={['actions']} managed={m}>
        <table>
          <thead>
            <tr>
              <th>{t('options_col_category')}</th>
              {VERDICTS.map((v) => (
                <th key={v}>{t(`verdict_${v}`)}</th>
              ))}
              {CASES.map(([k, label]) => (
                <th key={k}>{t(label)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {CATEGORIES.map((c) => (
              <tr key={c}>
                <td>{t(`category_${c}`)}</td>
                {VERDICTS.map((v) => (
                  <td key={v} data-action={`${c}.${v}`}>
                    {t(`action_${p.actions[c][v]}`)}
                  </td>
                ))}
                {CASES.map(([k]) => (
                  <td key={k} data-action={`${c}.${k}`}>
                    {t(`action_${p.actions[c][k] ?? p.actions[c].unscannable}`)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section id="limits" title={t('options_limits')} keys={['limits']} managed={m}>
        <table>
          <tbody>
            {LIMITS.map(([k, say]) => (
              <tr key={k} data-limit={k}>
                <td>{t(`options_limit_${k}`)}</td>
                <td>{say(p.limits[k])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section id="designated" title={t('options_designated')} keys={['designated']} managed={m}>
        {designated.length === 0 ? (
          <p class="muted">{t('options_none')}</p>
        ) : (
          designated.map(([k, v]) => (
            <div key={k}>
              <h3>
                <code>{k}</code>
              </h3>
              <List items={v} />
            </div>
          ))
        )}
      </Section>

      <Section id="messages" title={t('options_messages')} keys={['messages', 'guidance']} managed={m}>
        <p data-testid="guidance">{p.messages[lang]}</p>
        {p.messages.link && (
          <p>
            <a href={p.messages.link} target="_blank" rel="noopener noreferrer">
              {p.messages.link}
            </a>
          </p>
        )}
        {CATEGORIES.map((c) => {
          const g = p.guidance[c as keyof typeof p.guidance] as CategoryGuidance | undefined;
          const text = g?.[lang];
          const alt = g?.alternative;
          if (!text && !g?.contact && !alt) return null;
          return (
            <div key={c} data-category={c}>
              <h3>{t(`category_${c}`)}</h3>
              {text && <p>{text}</p>}
              {alt && <p>{t('warn_alternative', alt[lang] || alt.url || '')}</p>}
              {g?.contact && <p>{[g.contact.name, g.contact.mail, g.contact.phone, g.contact.url].filter(Boolean).join(' / ')}</p>}
            </div>
          );
        })}
      </Section>

      <Section id="collector" title={t('options_collector')} keys={['collectorUrl', 'ingestToken', 'user', 'heartbeatMinutes', 'policyVersion']} managed={m}>
        <table>
          <tbody>
            <tr>
              <td>{t('options_collector_url')}</td>
              <td data-testid="collector-url">{p.collectorUrl ? <code>{p.collectorUrl}</code> : <span class="muted">{t('popup_collector_none')}</span>}</td>
            </tr>
            <tr>
              <td>{t('options_ingest_token')}</td>
              <td>{p.ingestToken ? t('options_token_set') : t('options_none')}</td>
            </tr>
            <tr>
              <td>{t('options_user')}</td>
              <td>{p.user ?? '—'}</td>
            </tr>
            <tr>
              <td>{t('options_heartbeat')}</td>
              <td>{p.heartbeatMinutes}</td>
            </tr>
            <tr>
              <td>{t('options_policy_version')}</td>
              <td>{p.policyVersion ?? '—'}</td>
            </tr>
          </tbody>
        </table>
      </Section>
    </main>
  );
}
