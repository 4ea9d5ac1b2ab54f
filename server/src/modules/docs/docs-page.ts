/**
 * `GET /api/docs`: a small page, no framework and nothing from a CDN, that fetches
 * /api/openapi.json and lists the routes by tag with their parameters and body schemas.
 * Its script is served from /api/docs/docs.js (the CSP allows scripts from 'self' only).
 */
export const DOCS_HTML = `<!doctype html>
<html lang="tr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Gözcü API belgeleri / API documentation</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 1rem; color: #1d232a; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid #d5dae0; padding-bottom: .25rem; }
  .en { color: #5b6672; font-weight: normal; }
  input[type=search] { width: 100%; max-width: 28rem; padding: .4rem .5rem; font: inherit; }
  details.op { border: 1px solid #d5dae0; border-radius: 6px; margin: .35rem 0; }
  details.op > summary { cursor: pointer; padding: .4rem .6rem; display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
  .m { font: 600 .8rem ui-monospace, monospace; text-transform: uppercase; min-width: 4.2rem; text-align: center; border-radius: 4px; padding: .1rem .3rem; color: #fff; background: #5b6672; }
  .m.get { background: #1f6feb; } .m.post { background: #1a7f37; } .m.put { background: #9a6700; } .m.patch { background: #8250df; } .m.delete { background: #cf222e; }
  code, pre { font: .85rem ui-monospace, monospace; }
  .path { font-weight: 600; }
  .lock { font-size: .8rem; color: #5b6672; }
  .body { padding: 0 .8rem .6rem; }
  table { border-collapse: collapse; margin: .3rem 0; }
  th, td { text-align: left; padding: .15rem .6rem .15rem 0; vertical-align: top; border-bottom: 1px solid #eef0f2; }
  pre { background: #f6f8fa; padding: .5rem; overflow: auto; max-height: 24rem; border-radius: 4px; }
  .error { color: #cf222e; }
</style>
</head>
<body>
<h1>Gözcü API <span class="en">/ API documentation</span></h1>
<p>Makine için: <a href="/api/openapi.json"><code>/api/openapi.json</code></a> (OpenAPI 3.1) <span class="en">/ for machines</span></p>
<p><label>Ara <span class="en">/ Filter</span>: <input id="filter" type="search" placeholder="/api/entries, POST, entries:write"></label></p>
<p id="summary">Yükleniyor… <span class="en">/ Loading…</span></p>
<main id="routes"></main>
<script src="/api/docs/docs.js"></script>
</body>
</html>
`;

export const DOCS_SCRIPT = `'use strict';
(function () {
  var METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
  /** Turkish names of the tags (a tag is a controller); a tag not listed shows as it is. */
  var TAGS_TR = {
    Alerts: 'Uyarılar', Audit: 'Denetim kaydı', Auth: 'Oturum', Citizen: 'Vatandaş', CitizenComplaints: 'Vatandaş şikâyetleri',
    Complaints: 'Şikâyetler', Deadlines: 'İtiraz süreleri', Docs: 'Belgeler', Embargo: 'Yayın yasağı', Entries: 'Girişler',
    Feed: 'YSK akışı', Health: 'Sağlık', Metrics: 'Ölçümler', Names: 'Adlar', Petitions: 'Dilekçeler', Photos: 'Fotoğraflar',
    Reconcile: 'Karşılaştırma', Regions: 'Bölgeler', Register: 'Seçmen kütüğü', StaleNotices: 'Gecikme bildirimleri', Team: 'Ekip', Users: 'Kullanıcılar'
  };
  var routesEl = document.getElementById('routes');
  var summaryEl = document.getElementById('summary');
  var filterEl = document.getElementById('filter');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.append(c); });
    return node;
  }
  function both(tr, en) { return [tr + ' ', el('span', { class: 'en' }, ['/ ' + en])]; }
  function typeOf(s) {
    if (!s || typeof s !== 'object') return '';
    if (s.type === 'array') return typeOf(s.items) + '[]';
    if (s.enum) return s.enum.map(function (v) { return JSON.stringify(v); }).join(' | ');
    if (s.type) return s.type;
    if (s.anyOf) return s.anyOf.map(typeOf).join(' | ');
    return 'any';
  }
  function constraints(s) {
    if (!s || typeof s !== 'object') return '';
    var out = [];
    ['minimum', 'exclusiveMinimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'format', 'maxItems', 'default', 'anyOf'].forEach(function (k) {
      if (s[k] !== undefined && Math.abs(Number(s[k])) !== 9007199254740991) out.push(k + ': ' + JSON.stringify(s[k]));
    });
    if (s.description) out.unshift(s.description);
    return out.join(', ');
  }
  function paramsTable(params) {
    var rows = params.map(function (p) {
      return el('tr', {}, [el('td', {}, [el('code', {}, [p.name])]), el('td', {}, [p.in]), el('td', {}, [p.required ? 'evet / yes' : '']), el('td', {}, [typeOf(p.schema)]), el('td', {}, [constraints(p.schema)])]);
    });
    var head = el('tr', {}, [el('th', {}, ['Ad / Name']), el('th', {}, ['Yer / In']), el('th', {}, ['Zorunlu / Required']), el('th', {}, ['Tür / Type']), el('th', {}, ['Kısıt / Constraints'])]);
    return el('table', {}, [head].concat(rows));
  }
  /** An object schema's fields, nested ones as dotted paths (\`ref.boxNo\`, \`sheet.votes.*\`, \`items[]\`). */
  function fields(schema, prefix, required, out) {
    if (!schema || typeof schema !== 'object' || out.length > 200) return out;
    var props = schema.properties || {};
    var req = schema.required || [];
    Object.keys(props).forEach(function (name) {
      var s = props[name];
      var path = prefix ? prefix + '.' + name : name;
      out.push({ name: path, in: 'body', required: required && req.indexOf(name) >= 0, schema: s });
      if (s && s.type === 'object') fields(s, path, true, out);
      if (s && s.type === 'array' && s.items && s.items.type === 'object') fields(s.items, path + '[]', true, out);
      if (s && s.additionalProperties && typeof s.additionalProperties === 'object') out.push({ name: path + '.*', in: 'body', required: false, schema: s.additionalProperties });
    });
    return out;
  }
  function operation(method, path, op) {
    var open = op.security && op.security.length === 0;
    var lock = open ? 'herkese açık / public' : 'oturum gerekli / sign-in required' + (op['x-permissions'] ? ': ' + op['x-permissions'].join(', ') : '');
    var summary = el('summary', {}, [el('span', { class: 'm ' + method }, [method]), el('span', { class: 'path' }, [path]), el('span', { class: 'lock' }, [lock])]);
    var body = el('div', { class: 'body' }, []);
    if (op.parameters && op.parameters.length) body.append(el('h4', {}, both('Parametreler', 'Parameters')), paramsTable(op.parameters));
    if (op.requestBody) {
      body.append(el('h4', {}, both('İstek gövdesi', 'Request body').concat([' (' + Object.keys(op.requestBody.content).join(', ') + ')'])));
      if (op.requestBody.description) body.append(el('p', {}, [op.requestBody.description]));
      Object.keys(op.requestBody.content).forEach(function (type) {
        var s = op.requestBody.content[type].schema;
        if (!s) return;
        var rows = fields(s, '', true, []);
        if (rows.length) body.append(paramsTable(rows));
        body.append(el('details', {}, [el('summary', {}, both('JSON şeması', 'JSON Schema').concat([' (' + type + ')'])), el('pre', {}, [JSON.stringify(s, null, 2)])]));
      });
    }
    body.append(el('h4', {}, both('Yanıtlar', 'Responses')), el('p', {}, [Object.keys(op.responses).join(', ')]));
    body.append(el('p', { class: 'lock' }, [op.operationId]));
    var node = el('details', { class: 'op' }, [summary, body]);
    node.dataset.search = [method, path, lock, op.operationId].join(' ').toLowerCase();
    return node;
  }
  function render(doc) {
    var byTag = {};
    var count = 0;
    Object.keys(doc.paths).forEach(function (path) {
      METHODS.forEach(function (method) {
        var op = doc.paths[path][method];
        if (!op) return;
        count++;
        var tag = (op.tags && op.tags[0]) || '-';
        (byTag[tag] = byTag[tag] || []).push(operation(method, path, op));
      });
    });
    Object.keys(byTag).sort().forEach(function (tag) {
      var section = el('section', {}, [el('h2', {}, TAGS_TR[tag] ? both(TAGS_TR[tag], tag) : [tag])].concat(byTag[tag]));
      routesEl.append(section);
    });
    summaryEl.replaceChildren(count + ' yol, ' + Object.keys(byTag).length + ' etiket ', el('span', { class: 'en' }, ['/ ' + count + ' routes, ' + Object.keys(byTag).length + ' tags — ' + doc.info.title + ' ' + doc.info.version]));
  }
  filterEl.addEventListener('input', function () {
    var q = filterEl.value.trim().toLowerCase();
    routesEl.querySelectorAll('section').forEach(function (section) {
      var any = false;
      section.querySelectorAll('details.op').forEach(function (d) {
        var show = !q || d.dataset.search.indexOf(q) >= 0;
        d.hidden = !show;
        any = any || show;
      });
      section.hidden = !any;
    });
  });
  fetch('/api/openapi.json')
    .then(function (res) { if (!res.ok) throw new Error('HTTP ' + res.status); return res.json(); })
    .then(render)
    .catch(function (e) { summaryEl.replaceChildren(el('span', { class: 'error' }, ['Belge yüklenemedi / The document did not load: ' + e.message])); });
})();
`;
