// Baseline 1: the cheapest possible Worker. Anything the API costs above this is the API's own work.
export default {
  fetch() {
    return new Response('{"status":"ok"}', { headers: { "content-type": "application/json" } });
  },
};
