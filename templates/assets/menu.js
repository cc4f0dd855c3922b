// The main menu folds behind a "Menu" button on narrow screens (app.css). Without JavaScript the menu
// simply stays open: the button shows only once this has run.
(function () {
  var button = document.querySelector('.menu-toggle');
  var bar = document.querySelector('.topbar');
  if (!button || !bar) return;
  document.documentElement.classList.add('js');
  button.hidden = false;
  button.addEventListener('click', function () {
    var open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    bar.classList.toggle('menu-open', open);
  });
})();
