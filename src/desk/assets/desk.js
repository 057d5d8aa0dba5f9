// Bantin's editor's desk: the few things a server-rendered page cannot do alone.
// - the body editor (a contenteditable area that writes only what the sanitiser keeps),
// - choosers (add/remove related articles, agreements, gallery photos, the cover),
// - uploads of several photos at once with progress per file.
// Plain JavaScript, no build step; the pages work without it, except the body editor falls
// back to its HTML textarea and uploads to one file per form.
"use strict";

(function () {
  const csrf = () => document.body.dataset.csrf || "";

  // ---- Body editor --------------------------------------------------------------------
  function setUpEditor(form) {
    const textarea = form.querySelector("textarea#body");
    const rich = form.querySelector("#body-editor");
    const toolbar = form.querySelector(".toolbar");
    if (!textarea || !rich || !toolbar) return;
    rich.innerHTML = textarea.value.trim() || "<p><br></p>";
    // New blocks are paragraphs (Chromium's default is a <div>, which bodies do not use).
    document.execCommand("defaultParagraphSeparator", false, "p");
    // Figures are placed as a whole; only their captions are typed into.
    rich.querySelectorAll("figure").forEach(lockFigure);
    textarea.hidden = true;
    rich.hidden = false;
    toolbar.hidden = false;
    document.querySelector("#body-label")?.setAttribute("for", "body-editor");

    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      rich.focus();
      if (button.dataset.block) document.execCommand("formatBlock", false, button.dataset.block);
      if (button.dataset.command) document.execCommand(button.dataset.command, false, null);
      if (button.hasAttribute("data-link")) {
        const url = window.prompt(button.dataset.prompt || "URL", "https://");
        if (url && /^(https?:|mailto:|\/)/.test(url)) document.execCommand("createLink", false, url);
      }
    });
    // Pasting brings plain text only: nothing the sanitiser would drop gets in unseen.
    rich.addEventListener("paste", (event) => {
      event.preventDefault();
      const text = (event.clipboardData || window.clipboardData).getData("text/plain");
      document.execCommand("insertText", false, text);
    });
    // Remember where the caret was, for inserting a figure after choosing a photo.
    let range = null;
    const keep = () => {
      const sel = window.getSelection();
      if (sel && sel.rangeCount && rich.contains(sel.anchorNode)) range = sel.getRangeAt(0).cloneRange();
    };
    rich.addEventListener("keyup", keep);
    rich.addEventListener("mouseup", keep);
    rich.insertFigure = (id, src, alt, caption) => {
      const figure = document.createElement("figure");
      figure.setAttribute("data-photo", id);
      const img = document.createElement("img");
      img.src = src;
      img.alt = alt || "";
      const figcaption = document.createElement("figcaption");
      figcaption.textContent = caption || "";
      figure.append(img, figcaption);
      lockFigure(figure);
      if (range && rich.contains(range.startContainer)) {
        let block = range.startContainer;
        while (block && block.parentNode !== rich) block = block.parentNode;
        if (block) block.after(figure); else rich.append(figure);
      } else {
        rich.append(figure);
      }
      const after = document.createElement("p");
      after.append(document.createElement("br"));
      figure.after(after);
      figcaption.focus();
    };
    form.addEventListener("submit", () => {
      const copy = rich.cloneNode(true);
      copy.querySelectorAll("[contenteditable]").forEach((e) => e.removeAttribute("contenteditable"));
      // The API fills each figure with its photo on every read; the <img> is not stored.
      copy.querySelectorAll("figure[data-photo] img").forEach((img) => img.remove());
      textarea.value = copy.innerHTML;
    });
  }

  function lockFigure(figure) {
    figure.setAttribute("contenteditable", "false");
    let caption = figure.querySelector("figcaption");
    if (!caption) {
      caption = document.createElement("figcaption");
      figure.append(caption);
    }
    caption.setAttribute("contenteditable", "true");
  }

  // ---- Choosers -------------------------------------------------------------------------
  document.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-remove]");
    if (remove) {
      remove.closest("li")?.remove();
      return;
    }
    if (event.target.closest("[data-remove-cover]")) {
      const cover = document.querySelector("#cover");
      if (cover) cover.replaceChildren(document.createTextNode("—"));
      return;
    }
    const pick = event.target.closest("[data-pick]");
    if (pick) {
      const chooser = pick.closest(".chooser");
      const list = chooser?.querySelector("ul.chosen");
      if (!list) return;
      const id = pick.dataset.pick;
      if (list.querySelector(`input[value="${CSS.escape(id)}"]`)) return;
      const li = document.createElement("li");
      li.append(hidden(pick.dataset.field, id), hidden(pick.dataset.labelField, pick.dataset.label));
      const span = document.createElement("span");
      span.textContent = pick.dataset.label;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.setAttribute("data-remove", "");
      button.textContent = pick.dataset.removeText || "×";
      li.append(span, button);
      list.append(li);
      pick.closest("li")?.remove();
      return;
    }
    const addRow = event.target.closest("[data-add-row]");
    if (addRow) {
      const body = addRow.closest("fieldset")?.querySelector("tbody[data-rows]");
      const last = body?.lastElementChild;
      if (!last) return;
      const row = last.cloneNode(true);
      const n = body.children.length;
      row.querySelectorAll("[id]").forEach((e) => {
        const old = e.id;
        e.id = old.replace(/-\d+$/, `-${n}`);
        row.querySelector(`label[for="${old}"]`)?.setAttribute("for", e.id);
      });
      row.querySelectorAll("input").forEach((i) => { i.value = ""; });
      row.querySelectorAll("select").forEach((s) => { s.selectedIndex = 0; });
      body.append(row);
      row.querySelector("select, input")?.focus();
      return;
    }
    const photo = event.target.closest("[data-choose-photo]");
    if (photo) choosePhoto(photo);
    if (event.target.closest("[data-close-picker]")) document.querySelector("#photo-picker")?.replaceChildren();
  });

  function hidden(name, value) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  // A photo chosen in the picker: as a figure in the body, the cover, or a gallery item.
  function choosePhoto(button) {
    const { choosePhoto: id, thumb, src, alt, caption, mode, captionLabel, removeText } = button.dataset;
    const picker = document.querySelector("#photo-picker");
    if (mode === "figure") {
      document.querySelector("#body-editor")?.insertFigure(id, src, alt, caption);
    } else if (mode === "cover") {
      const cover = document.querySelector("#cover");
      const img = document.createElement("img");
      img.src = thumb;
      img.alt = "";
      img.width = 120;
      cover.replaceChildren(hidden("cover_photo_id", id), hidden("cover_photo_thumb", thumb), img);
    } else if (mode === "gallery") {
      const list = document.querySelector("#gallery");
      const n = list.children.length + Date.now();
      const li = document.createElement("li");
      const img = document.createElement("img");
      img.src = thumb;
      img.alt = "";
      img.width = 96;
      const label = document.createElement("label");
      label.htmlFor = `gallery-caption-${n}`;
      label.textContent = captionLabel || "Caption";
      const input = document.createElement("input");
      input.type = "text";
      input.name = "photo_caption";
      input.id = `gallery-caption-${n}`;
      input.value = caption || "";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.setAttribute("data-remove", "");
      remove.textContent = removeText || "×";
      li.append(hidden("photo_id", id), hidden("photo_thumb", thumb), img, label, input, remove);
      list.append(li);
    }
    if (picker) picker.replaceChildren();
  }

  // ---- Uploads --------------------------------------------------------------------------
  function setUpUploader(zone) {
    const input = zone.querySelector("input[type=file]");
    const list = zone.querySelector(".uploads");
    const url = zone.dataset.upload;
    const start = (files) => {
      const jobs = Array.from(files).map((file) => upload(file, url, list, zone.dataset));
      Promise.allSettled(jobs).then(() => {
        if (zone.hasAttribute("data-reload")) window.location.reload();
        if (zone.dataset.refresh) {
          const target = document.querySelector(zone.dataset.refresh);
          if (target && window.htmx) window.htmx.trigger(target, "refresh");
        }
      });
    };
    input.addEventListener("change", () => start(input.files));
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      start(e.dataTransfer.files);
    });
  }

  function upload(file, url, list, labels) {
    return new Promise((resolve) => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = file.name;
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      const state = document.createElement("span");
      state.setAttribute("role", "status");
      state.textContent = labels.uploading || "…";
      li.append(name, bar, state);
      list.append(li);
      const body = new FormData();
      body.append("file", file);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener("load", () => {
        const ok = xhr.status >= 200 && xhr.status < 300;
        bar.value = ok ? 100 : bar.value;
        state.textContent = ok ? `✓ ${labels.uploaded || "OK"}` : `⚠ ${labels.failed || "Error"}: ${xhr.responseText.slice(0, 200)}`;
        li.dataset.result = ok ? "ok" : "failed";
        resolve(ok);
      });
      xhr.addEventListener("error", () => {
        state.textContent = `⚠ ${labels.failed || "Error"}`;
        li.dataset.result = "failed";
        resolve(false);
      });
      xhr.send(body);
    });
  }

  function setUp(root) {
    root.querySelectorAll("form[data-editor]").forEach((f) => {
      if (!f.dataset.ready) { f.dataset.ready = "1"; setUpEditor(f); }
    });
    root.querySelectorAll("[data-upload]").forEach((z) => {
      if (!z.dataset.ready) { z.dataset.ready = "1"; setUpUploader(z); }
    });
  }

  document.addEventListener("DOMContentLoaded", () => setUp(document));
  document.addEventListener("htmx:afterSettle", (e) => setUp(e.target));
  // htmx requests carry the session's CSRF token (for the few that post).
  document.addEventListener("htmx:configRequest", (e) => { e.detail.headers["X-CSRF-Token"] = csrf(); });
})();
