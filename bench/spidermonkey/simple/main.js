export function main() {
  console.log('hello');
}
